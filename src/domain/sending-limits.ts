// Hard limits of SES sending, the same for every account, and the account quotas' windows and errors.
import { AwsError } from './errors.js';

export const MAX_RECIPIENTS_PER_MESSAGE = 50;
/** SES v2 and SMTP: 40 MB after encoding. */
export const MAX_MESSAGE_BYTES_V2 = 40 * 1024 * 1024;
/** SES v1 Query API: 10 MB. */
export const MAX_MESSAGE_BYTES_V1 = 10 * 1024 * 1024;

/** Max24HourSend counts the recipients of a rolling 24 hours; MaxSendRate those of the last second. */
export const DAILY_QUOTA_WINDOW_MS = 24 * 3600 * 1000;
export const SEND_RATE_WINDOW_MS = 1000;

/** The quotas one message counts against: each window's start (epoch ms); absent = not limited. */
export interface QuotaWindows {
  dailySince?: number;
  rateSince?: number;
}

// SES v2 TooManyRequestsException (429), SES v1 Throttling; the texts are SES's.
export const dailyQuotaExceeded = (): AwsError => new AwsError('TooManyRequestsException', 'Daily message quota exceeded.', 429, true, 'Throttling');
export const sendRateExceeded = (): AwsError => new AwsError('TooManyRequestsException', 'Maximum sending rate exceeded.', 429, true, 'Throttling');
