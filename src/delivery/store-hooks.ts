// Delivery's view of identities, configuration sets, account settings and the suppression list:
// the DeliveryHooks implemented over sesd's store. DKIM keys are parsed once per identity key and
// kept as KeyObjects (parsing PEM costs more than signing).
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { DEFAULT_ACCOUNT_SETTINGS } from '../domain/account/account-settings.js';
import { candidateIdentities } from '../domain/identities/identities-service.js';
import type { DeliveryOptions } from '../domain/configuration-sets/configuration-set.js';
import { notificationTopic, type Identity, type IdentityNotifications } from '../domain/identities/identity.js';
import { storeDestinationLookup } from '../events/event-service.js';
import type { Store } from '../store/store.js';
import type { DeliveryHooks } from './delivery-service.js';
import type { Scope } from './policy.js';

const OPTIONS_KEPT_MS = 1_000;

export function storeDeliveryHooks(store: Store): Required<DeliveryHooks> {
  const keys = new Map<string, KeyObject>();
  const parsedKey = (pem: string): KeyObject => {
    let key = keys.get(pem);
    if (!key) {
      if (keys.size > 1000) keys.clear();
      keys.set(pem, (key = createPrivateKey(pem)));
    }
    return key;
  };
  /** The most specific verified identity covering a domain: the domain itself, then its parents. */
  const domainIdentity = async (scope: Scope, domain: string): Promise<Identity | undefined> => {
    const names = candidateIdentities(`postmaster@${domain}`).slice(1);
    const found = await store.identities.getMany(scope, names);
    return names.map((n) => found.find((i) => i.identity === n)).find((i) => i && i.verificationStatus === 'SUCCESS');
  };
  // A set's delivery options are read at most once a second: every message asks twice (its time
  // limit and its TLS policy), two reads of the same row per message in the delivery thread.
  const optionsRead = readAtMostOnceASecond<DeliveryOptions | undefined>();
  const deliveryOptions = (scope: Scope, set: string | null): Promise<DeliveryOptions | undefined> =>
    set ? optionsRead(`${scope.accountId}\u0000${scope.region}\u0000${set}`, () => store.configurationSets.get(scope, set).then((s) => s?.options.DeliveryOptions)) : Promise.resolve(undefined);
  // The sending identity's notification topics, likewise per sender (delivery asks for every event
  // of a message without a configuration set).
  const lookup = storeDestinationLookup(store);
  const sendersRead = readAtMostOnceASecond<IdentityNotifications | undefined>();
  const notificationsOf = (scope: Scope, source: string): Promise<IdentityNotifications | undefined> =>
    sendersRead(`${scope.accountId}\u0000${scope.region}\u0000${source}`, () => lookup.sendingIdentity(scope, source).then((s) => s?.notifications));

  return {
    dkimKeys: {
      keyFor: async (accountId, region, fromDomain) => {
        const identity = await domainIdentity({ accountId, region }, fromDomain);
        const dkim = identity?.dkim;
        if (!identity || !dkim?.signingEnabled || dkim.status !== 'SUCCESS' || !dkim.privateKeyPem || !dkim.tokens[0]) return undefined;
        return { domain: identity.identity, selector: dkim.tokens[0], privateKey: parsedKey(dkim.privateKeyPem) };
      },
    },
    suppression: {
      shouldSuppress: async (scope, set, reason) => {
        const fromSet = set ? (await store.configurationSets.get(scope, set))?.options.SuppressionOptions?.SuppressedReasons : undefined;
        const reasons = fromSet ?? ((await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS).suppressedReasons;
        return (reasons as string[]).includes(reason);
      },
      suppress: (scope, e) =>
        store.suppression.put(scope, { emailAddress: e.address, reason: e.reason, messageId: e.messageId, feedbackId: e.feedbackId, lastUpdate: Date.now() }),
    },
    policy: {
      // Per-account delivery modes are not configurable yet: every account uses SESD_DELIVERY_MODE.
      deliveryMode: async () => undefined,
      maxDeliveryMillis: async (scope, set) => {
        const seconds = (await deliveryOptions(scope, set))?.MaxDeliverySeconds;
        return seconds ? seconds * 1000 : undefined;
      },
      requireTls: async (scope, set) => (await deliveryOptions(scope, set))?.TlsPolicy === 'REQUIRE',
      // A custom MAIL FROM domain is used once its MX check succeeded; until then (and with
      // UseDefaultValue after a failure) sesd's default MAIL FROM. RejectMessage is refused at intake.
      mailFromDomain: async (scope, fromDomain) => {
        const mailFrom = (await domainIdentity(scope, fromDomain))?.mailFrom;
        return mailFrom?.status === 'SUCCESS' ? (mailFrom.domain ?? undefined) : undefined;
      },
      feedbackAddress: async (scope, fromDomain, returnPath) => {
        const identity = await domainIdentity(scope, fromDomain);
        return identity && !identity.feedbackForwarding ? undefined : returnPath || undefined;
      },
      identityNotifies: async (scope, source, type) => Boolean(notificationTopic(await notificationsOf(scope, source), type)),
    },
  };
}

/**
 * A read kept for OPTIONS_KEPT_MS per key (at most 1,000 keys); a failed read is not kept. Settings
 * change rarely, and delivery would otherwise read the same rows for every message.
 */
function readAtMostOnceASecond<T>(): (key: string, read: () => Promise<T>) => Promise<T> {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  return (key, read) => {
    const now = Date.now();
    const found = kept.get(key);
    if (found && now - found.at < OPTIONS_KEPT_MS) return found.value;
    if (kept.size > 1000) kept.clear();
    const value = read();
    kept.set(key, { at: now, value });
    value.catch(() => kept.delete(key));
    return value;
  };
}
