import { describe, expect, it } from 'vitest';
import { AwsError, internalFailure, invalidParameter, messageRejected, notSupported, serviceUnavailable } from '../../../src/domain/errors.js';
import { replyForError } from '../../../src/smtp/replies.js';

describe('replyForError', () => {
  it.each([
    [messageRejected('Email address is not verified. The following identities failed the check in region US-EAST-1: a@example.com'), 554, 'Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: a@example.com'],
    [invalidParameter('Recipient count exceeds 50.'), 554, 'Transaction failed: Recipient count exceeds 50.'],
    [new AwsError('InvalidParameterValue', 'Illegal address', 400), 554, 'Transaction failed: Illegal address'],
    [new AwsError('TooManyRequestsException', 'Maximum sending rate exceeded.', 429), 454, 'Throttling failure: Maximum sending rate exceeded.'],
    [new AwsError('LimitExceededException', 'Daily message quota exceeded.', 400, true, 'Throttling'), 454, 'Throttling failure: Daily message quota exceeded.'],
    [new AwsError('Throttling', 'Maximum sending rate exceeded.', 400), 454, 'Throttling failure: Maximum sending rate exceeded.'],
    [new AwsError('SendingPausedException', 'Sending paused for this account.', 400, true, 'AccountSendingPausedException'), 554, 'Message rejected: Sending paused for this account.'],
    [new AwsError('AccountSuspendedException', 'Account suspended.', 400), 554, 'Message rejected: Account suspended.'],
    [new AwsError('MailFromDomainNotVerifiedException', 'Mail from domain not verified.', 400, true, 'MailFromDomainNotVerified'), 554, 'Message rejected: Mail from domain not verified.'],
    [new AwsError('NotFoundException', 'Configuration set <x> does not exist.', 404, true, 'ConfigurationSetDoesNotExist'), 554, 'Transaction failed: Configuration set <x> does not exist.'],
    [notSupported('stored templates'), 554, 'Transaction failed: sesd does not support stored templates.'],
    [internalFailure(), 451, 'Temporary service failure'],
    [serviceUnavailable(), 451, '4.3.0 Temporary service failure: the service is unavailable, try again later'],
    [new Error('database is gone'), 451, 'Temporary service failure'],
    ['not even an Error', 451, 'Temporary service failure'],
  ])('answers %s with %i', (err, code, message) => {
    expect(replyForError(err)).toEqual({ code, message });
  });
});
