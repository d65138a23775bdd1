// An account's sending switches and quotas in one region. sesd's operator decides them (admin CLI),
// not a review: accounts start with production access and no quota (-1 = unlimited, as SES's
// Max24HourSend uses it). An account the operator put in the sandbox may ask for production access;
// the operator grants or denies it (see production-access.ts).
export interface AccountSettings {
  sendingEnabled: boolean;
  productionAccess: boolean;
  /** Recipients per second; -1 = unlimited. */
  maxSendRate: number;
  /** Recipients per rolling 24 hours; -1 = unlimited. */
  max24HourSend: number;
  /** Reasons that add an address to the account's suppression list. */
  suppressedReasons: ('BOUNCE' | 'COMPLAINT')[];
  /** What the account's owner last said about their sending; null until they say it. */
  details: AccountDetails | null;
  /** The latest request for production access and the operator's decision; null if none was made. */
  review: ProductionAccessReview | null;
}

/** The account owner's description of their sending (SES v2 PutAccountDetails). */
export interface AccountDetails {
  mailType: 'MARKETING' | 'TRANSACTIONAL';
  websiteUrl: string;
  contactLanguage?: 'EN' | 'JA';
  useCaseDescription?: string;
  additionalContactEmailAddresses?: string[];
}

/** PENDING until the operator decides; GRANTED took the account out of the sandbox, DENIED left it there. */
export type ReviewStatus = 'PENDING' | 'GRANTED' | 'DENIED';

export interface ProductionAccessReview {
  caseId: string;
  status: ReviewStatus;
}

/** The settings an operator or a switch changes; details and review have their own atomic writes. */
export type AccountSwitches = Omit<AccountSettings, 'details' | 'review'>;

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  sendingEnabled: true,
  productionAccess: true,
  maxSendRate: -1,
  max24HourSend: -1,
  suppressedReasons: ['BOUNCE', 'COMPLAINT'],
  details: null,
  review: null,
};
