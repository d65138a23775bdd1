// A request for production access, handled as SES handles one: account details put with
// ProductionAccessEnabled from an account in the sandbox open a review (PENDING, with a case id),
// and the account stays in the sandbox until it is decided. At AWS a person decides; in sesd the
// operator does (`sesd account review grant|deny`). While a review is pending, new details are
// refused, as SES's model documents for ConflictException.
import { randomInt } from 'node:crypto';
import { AwsError } from '../errors.js';
import type { AccountSettings, ProductionAccessReview } from './account-settings.js';

/** What the operator may decide on a pending review. */
export type ReviewDecision = 'GRANTED' | 'DENIED';

/**
 * The review that new details open: one when they ask for production access from the sandbox, none
 * otherwise (an account that already has production access has nothing to ask for; its details are
 * recorded). Refused while a review is pending.
 */
export function reviewOpenedBy(current: AccountSettings, asksForProductionAccess: boolean): ProductionAccessReview | null {
  if (current.review?.status === 'PENDING') throw reviewPending();
  return asksForProductionAccess && !current.productionAccess ? { caseId: newCaseId(), status: 'PENDING' } : null;
}

// The model's description of the error; SES's own message text is not confirmed.
export const reviewPending = (): AwsError => new AwsError('ConflictException', 'There is already an ongoing account details update under review.', 409);

// SES's case ids are support-center case numbers; sesd's are 10 random digits.
const newCaseId = (): string => String(randomInt(1_000_000_000, 10_000_000_000));
