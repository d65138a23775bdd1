// What delivery needs to know from identities, configuration sets, account settings and the
// suppression list, as narrow interfaces so delivery does not depend on how those are stored.
// app.ts wires the implementations; `defaultPolicy` and `noSuppression` stand in until they exist.
import type { DkimKey } from './dkim-sign.js';
import { isNotificationType, mayHaveDestinations, type NotificationType } from '../events/event-types.js';

export type DeliveryMode = 'capture' | 'relay' | 'mx';

export interface Scope {
  accountId: string;
  region: string;
}

export interface DkimKeyProvider {
  /** The Easy DKIM or BYODKIM key of the From domain's identity, if it signs. */
  keyFor(accountId: string, region: string, fromDomain: string): Promise<DkimKey | undefined> | DkimKey | undefined;
}

export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';

// Recipients already on the list are settled at intake (status 'suppressed'); delivery only adds.
export interface SuppressionSink {
  /** Whether the account (or the configuration set's SuppressionOptions) suppresses for `reason`. */
  shouldSuppress(scope: Scope, configurationSet: string | null, reason: SuppressionReason): Promise<boolean>;
  suppress(scope: Scope, entry: { address: string; reason: SuppressionReason; messageId: string; feedbackId: string }): Promise<void>;
}

export interface DeliveryPolicy {
  /** Per-account override of the configured delivery mode. */
  deliveryMode(scope: Scope): Promise<DeliveryMode | undefined>;
  /** The configuration set's DeliveryOptions.MaxDeliverySeconds, in milliseconds. */
  maxDeliveryMillis(scope: Scope, configurationSet: string | null): Promise<number | undefined>;
  /** The configuration set's DeliveryOptions.TlsPolicy is REQUIRE. */
  requireTls(scope: Scope, configurationSet: string | null): Promise<boolean>;
  /** The From domain's custom MAIL FROM domain, when it has a verified one. */
  mailFromDomain(scope: Scope, fromDomain: string): Promise<string | undefined>;
  /**
   * Where bounce and complaint notifications go by email (feedback forwarding), or undefined when
   * the identity has forwarding off. `returnPath` is the sender's Return-Path / envelope sender.
   */
  feedbackAddress(scope: Scope, fromDomain: string, returnPath: string): Promise<string | undefined>;
  /**
   * Whether the identity `source` sends as has a notification topic for `type` (Bounce, Complaint,
   * Delivery): where the event dispatcher would publish an event of a message without a
   * configuration set. When it has none, such an event is written settled (nowhere to go).
   */
  identityNotifies(scope: Scope, source: string, type: NotificationType): Promise<boolean>;
}

/** Until configuration sets and identities are wired: no overrides, SES's default of forwarding feedback. */
export const defaultPolicy: DeliveryPolicy = {
  deliveryMode: async () => undefined,
  maxDeliveryMillis: async () => undefined,
  requireTls: async () => false,
  mailFromDomain: async () => undefined,
  feedbackAddress: async (_scope, _domain, returnPath) => returnPath || undefined,
  // Without identities to read, every notification type may go somewhere: the dispatcher decides.
  identityNotifies: async () => true,
};

export const noSuppression: SuppressionSink = {
  shouldSuppress: async () => false,
  suppress: async () => undefined,
};

export const noDkimKeys: DkimKeyProvider = { keyFor: () => undefined };

/**
 * Whether no destination can take `event` of a message sent with `configurationSet`, so that it is
 * written settled: without a set only the sending identity's notification topic (Bounce, Complaint,
 * Delivery) could, and the sender the dispatcher would look up is the Send `mail`'s source. The one
 * rule for the delivery queue's events and those intake writes when capture mode delivers there.
 */
export async function hasNowhereToGo(
  policy: Pick<DeliveryPolicy, 'identityNotifies'>,
  scope: Scope,
  event: { type: string; payload: unknown },
  configurationSet: string | null | undefined,
): Promise<boolean> {
  if (!mayHaveDestinations(event.type, configurationSet)) return true;
  if (configurationSet || !isNotificationType(event.type)) return false;
  const source = (event.payload as { mail?: { source?: unknown } }).mail?.source;
  return typeof source !== 'string' || !source || !(await policy.identityNotifies(scope, source, event.type));
}
