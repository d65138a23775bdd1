// The SES v2 operations sesd implements. An operation missing here answers "not supported".
import type { Intake } from '../../intake/accept.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { sendEmailHandler } from './send-email.js';

export function sesv2Handlers(deps: { intake: Intake }): HandlerTable {
  return {
    SendEmail: typedHandler(sendEmailHandler(deps.intake)),
  };
}
