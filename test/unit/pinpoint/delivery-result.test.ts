import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import { accepted, refusedBySes } from '../../../src/domain/pinpoint/delivery-result.js';

describe('per-address delivery results', () => {
  it('reports an accepted message with its MessageId', () => {
    expect(accepted('m-1')).toEqual({ deliveryStatus: 'SUCCESSFUL', statusCode: 200, statusMessage: 'm-1', messageId: 'm-1' });
  });

  it.each([
    [new AwsError('MessageRejected', 'Email address is not verified.', 400), 'PERMANENT_FAILURE', 400],
    [new AwsError('NotFoundException', 'Configuration set <x> does not exist.', 404), 'PERMANENT_FAILURE', 404],
    [new AwsError('TooManyRequestsException', 'Maximum sending rate exceeded.', 429), 'THROTTLED', 429],
    [new AwsError('InternalFailure', 'boom', 500), 'TEMPORARY_FAILURE', 500],
  ] as const)('maps SES %s onto %s', (err, status, code) => {
    expect(refusedBySes(err, 'req-1')).toEqual({
      deliveryStatus: status,
      statusCode: code,
      statusMessage: `${err.message} (Service: AmazonSimpleEmailServiceV2; Status Code: ${code}; Error Code: ${err.code}; Request ID: req-1; Proxy: null)`,
    });
  });
});
