// Hard limits of SES sending, the same for every account.
export const MAX_RECIPIENTS_PER_MESSAGE = 50;
/** SES v2 and SMTP: 40 MB after encoding. */
export const MAX_MESSAGE_BYTES_V2 = 40 * 1024 * 1024;
/** SES v1 Query API: 10 MB. */
export const MAX_MESSAGE_BYTES_V1 = 10 * 1024 * 1024;
