// The one error type of sesd. Domain and api code raise it; the protocol layer serialises it per
// wire protocol (rest-json, query XML) and the SMTP layer maps it to a reply.
export class AwsError extends Error {
  constructor(
    /** AWS error code as SES v2 / rest-json names it, e.g. `BadRequestException`. */
    readonly code: string,
    message: string,
    /** HTTP status. For rest-json errors the model's status wins when the code is a modelled shape. */
    readonly httpStatus = 400,
    /** `Sender` when the caller is at fault, `Receiver` when sesd is. */
    readonly senderFault = httpStatus < 500,
    /** The code the SES v1 Query API uses for the same failure, when it differs (`InvalidParameterValue`). */
    readonly queryCode?: string,
    /** The text SES v1 answers for the same failure, when SES words it differently there. */
    readonly queryMessage?: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** Invalid input: SES v2 `BadRequestException`, SES v1 `InvalidParameterValue`. */
export const invalidParameter = (message: string): AwsError =>
  new AwsError('BadRequestException', message, 400, true, 'InvalidParameterValue');

/** Refused message: both APIs say `MessageRejected`. */
export const messageRejected = (message: string): AwsError => new AwsError('MessageRejected', message, 400, true);

/** A capability sesd does not have (yet). Never answered with a fake success. */
/** A request member asking for a feature sesd does not have: refused, naming it, rather than ignored. */
export const unsupportedFeature = (feature: string, member: string): AwsError =>
  new AwsError('BadRequestException', `sesd does not support ${feature} (${member}).`, 400);

export const notSupported = (what: string): AwsError =>
  new AwsError('NotImplemented', `sesd does not support ${what}.`, 501, false);

export const internalFailure = (): AwsError =>
  new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500, false);

/** AWS's common error for a temporary failure of the server (the database is down, the disk full, sesd stopping): retry later. */
export const serviceUnavailable = (): AwsError =>
  new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503, false);
