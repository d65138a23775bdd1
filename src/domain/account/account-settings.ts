// An account's sending switches and quotas in one region. sesd's operator decides them (admin CLI),
// not a review: accounts start with production access and no quota (-1 = unlimited, as SES's
// Max24HourSend uses it).
export interface AccountSettings {
  sendingEnabled: boolean;
  productionAccess: boolean;
  /** Recipients per second; -1 = unlimited. */
  maxSendRate: number;
  /** Recipients per rolling 24 hours; -1 = unlimited. */
  max24HourSend: number;
  /** Reasons that add an address to the account's suppression list. */
  suppressedReasons: ('BOUNCE' | 'COMPLAINT')[];
  details: Record<string, unknown> | null;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  sendingEnabled: true,
  productionAccess: true,
  maxSendRate: -1,
  max24HourSend: -1,
  suppressedReasons: ['BOUNCE', 'COMPLAINT'],
  details: null,
};
