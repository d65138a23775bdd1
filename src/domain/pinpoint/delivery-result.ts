// What SendMessages and SendUsersMessages report for each address or endpoint. Pinpoint hands email
// to SES and reports SES's answer per address: on success the SES MessageId (also as StatusMessage),
// on refusal SES's HTTP status as StatusCode and SES's error, worded the way the Java SDK inside
// Pinpoint words it. What Pinpoint decides itself (channel, opt-out, duplicates) has no such suffix.
import type { AwsError } from '../errors.js';

export type DeliveryStatus = 'SUCCESSFUL' | 'THROTTLED' | 'TEMPORARY_FAILURE' | 'PERMANENT_FAILURE' | 'UNKNOWN_FAILURE' | 'OPT_OUT' | 'DUPLICATE';

export interface DeliveryResult {
  deliveryStatus: DeliveryStatus;
  statusCode: number;
  statusMessage: string;
  messageId?: string;
}

export const accepted = (messageId: string): DeliveryResult => ({ deliveryStatus: 'SUCCESSFUL', statusCode: 200, statusMessage: messageId, messageId });

/** SES refused the message: throttling is THROTTLED, SES's own faults TEMPORARY_FAILURE, the rest PERMANENT_FAILURE. */
export function refusedBySes(err: AwsError, requestId: string): DeliveryResult {
  const deliveryStatus: DeliveryStatus = err.httpStatus === 429 ? 'THROTTLED' : err.httpStatus >= 500 ? 'TEMPORARY_FAILURE' : 'PERMANENT_FAILURE';
  const detail = `(Service: AmazonSimpleEmailServiceV2; Status Code: ${err.httpStatus}; Error Code: ${err.code}; Request ID: ${requestId}; Proxy: null)`;
  return { deliveryStatus, statusCode: err.httpStatus, statusMessage: `${err.message} ${detail}` };
}

/** Pinpoint could not build the message (a template that does not render, an unusable override). */
export const notSendable = (message: string): DeliveryResult => ({ deliveryStatus: 'PERMANENT_FAILURE', statusCode: 400, statusMessage: message });

export const channelMissing = (): DeliveryResult => notSendable('The EMAIL channel is not configured for this application.');

export const channelDisabled = (): DeliveryResult => notSendable('The EMAIL channel is disabled for this application.');

/** sesd sends email only: an address or endpoint of another channel is refused, never reported as sent. */
export const channelNotSupported = (channelType: string | undefined): DeliveryResult =>
  notSendable(channelType ? `sesd does not support the ${channelType} channel; only EMAIL messages can be sent.` : 'ChannelType is required for every address.');

export const optedOut = (): DeliveryResult => ({ deliveryStatus: 'OPT_OUT', statusCode: 400, statusMessage: 'The endpoint has opted out of receiving messages (OptOut is ALL).' });

export const endpointInactive = (): DeliveryResult => notSendable('The endpoint is INACTIVE.');

export const endpointNotFound = (): DeliveryResult => ({ deliveryStatus: 'PERMANENT_FAILURE', statusCode: 404, statusMessage: 'Endpoint not found' });

export const duplicateAddress = (): DeliveryResult => ({
  deliveryStatus: 'DUPLICATE',
  statusCode: 400,
  statusMessage: 'The address was already sent this message in the same request.',
});

export const unknownFailure = (): DeliveryResult => ({ deliveryStatus: 'UNKNOWN_FAILURE', statusCode: 500, statusMessage: 'Internal failure' });
