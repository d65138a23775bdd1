// What a handler knows about the request it serves: the caller (after SigV4), where it came from,
// and the request id that the answer and the log line carry.
import type { Logger } from 'pino';

export interface RequestContext {
  requestId: string;
  accountId: string;
  accessKeyId: string;
  region: string;
  sourceIp: string;
  log: Logger;
}

/** A handler maps a decoded wire input onto domain calls and returns the wire output. */
export type Handler = (ctx: RequestContext, input: Record<string, unknown>) => Promise<unknown>;

export type HandlerTable = Readonly<Record<string, Handler>>;

/** Types a handler by its operation's generated input; the router hands it the decoded, validated input. */
export const typedHandler = <I>(fn: (ctx: RequestContext, input: I) => Promise<unknown>): Handler => fn as unknown as Handler;

/** Who is sending, as intake records it: the caller's account, region, key and address. */
export const sendOrigin = (ctx: RequestContext, sourceApi: string) => ({
  accountId: ctx.accountId,
  region: ctx.region,
  sourceApi,
  callerIdentity: ctx.accessKeyId,
  sourceIp: ctx.sourceIp,
});
