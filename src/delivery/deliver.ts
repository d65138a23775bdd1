// One delivery attempt for the claimed recipients of one message at one domain: simulator
// recipients are settled here, the rest go through the transport in one SMTP transaction.
// The answer is the recipients' new state with the events and notification mail it causes, for the
// queue to commit together (outbox); nothing here writes to the database.
import type { Logger } from 'pino';
import { newMessageId } from '../domain/message-id.js';
import { bounceEvent } from '../events/mail-object.js';
import { expiresAt, nextAttemptAt, type RetrySchedule } from '../queue/retry-schedule.js';
import type { ClaimedDelivery, DeliveryUpdate, GeneratedMessage, QueuedMessage } from '../store/deliveries-repository.js';
import { GENERATED_SOURCE } from '../store/deliveries-repository.js';
import { classifyBounce, type BounceSubType, type BounceType } from './bounce-rules.js';
import { complaintEvent, deliveryDelayEvent, deliveryEvent, type DeliveryEventRecord } from './delivery-events.js';
import { autoReply, bounceNotification, complaintReport, type About } from './notification-mail.js';
import { envelopeSender, feedbackIdHeader, fromDomain, outgoingMessage, type Signer } from './outgoing-message.js';
import { hasNowhereToGo, type DeliveryMode, type DeliveryPolicy, type DkimKeyProvider, type Scope, type SuppressionSink } from './policy.js';
import { simulatorScenario, SIMULATOR_REPLIES, type SimulatorScenario } from './simulator.js';
import { parseReply } from './smtp-reply.js';
import type { DelayType, RecipientResult, Transport } from './transport.js';

export interface DelivererDeps {
  hostname: string;
  mode: DeliveryMode;
  transports: Partial<Record<DeliveryMode, Transport>>;
  schedule: RetrySchedule;
  lifetimeMs: number;
  policy: DeliveryPolicy;
  dkimKeys: DkimKeyProvider;
  suppression: SuppressionSink;
  sign: Signer;
  log: Logger;
  now?: () => number;
}

export type Deliverer = (message: QueuedMessage, deliveries: ClaimedDelivery[]) => Promise<DeliveryUpdate[]>;

/** What became of one recipient in this attempt. */
type Outcome =
  | { kind: 'delivered'; reply: string; remoteMtaIp?: string; outgoingIp?: string; scenario?: SimulatorScenario }
  | { kind: 'deferred'; retryAt: number; reply: string; delayType: DelayType }
  | { kind: 'bounced'; bounceType: BounceType; bounceSubType: BounceSubType; reply: string; simulated: boolean; remoteMtaIp?: string }
  /** The simulator's suppressionlist@: as if on SES's global suppression list (intake settles the account's list). */
  | { kind: 'suppressed' };

// What SES's mailbox simulator writes in its complaints (the Complaint event's userAgent, the ARF
// report's User-Agent): code written against SES may look for it.
const SIMULATOR_USER_AGENT = 'Amazon SES Mailbox Simulator';
/** SES's diagnostic for an address on its global suppression list (bounceSubType Suppressed), as its bounces carry it. */
const GLOBALLY_SUPPRESSED_DIAGNOSTIC =
  'Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address. For more information about how to remove an address from the suppression list, see the Amazon SES Developer Guide: http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html';

export function createDeliverer(deps: DelivererDeps): Deliverer {
  const now = deps.now ?? Date.now;

  return async (message, deliveries) => {
    const scope: Scope = { accountId: message.accountId, region: message.region };
    const generatedMail = message.sourceApi === GENERATED_SOURCE;
    const outcomes = new Map<number, Outcome>();
    const toSend: ClaimedDelivery[] = [];

    for (const d of deliveries) {
      const scenario = simulatorScenario(d.recipient);
      if (scenario) outcomes.set(d.id, simulated(scenario));
      else toSend.push(d);
    }

    const expiry = expiresAt(message.createdAt, deps.lifetimeMs, await deps.policy.maxDeliveryMillis(scope, message.configurationSet));
    const results = toSend.length > 0 ? await send(message, scope, toSend) : [];
    const at = now();
    for (const d of toSend) {
      const r = results.find((x) => x.recipient.toLowerCase() === d.recipient.toLowerCase());
      const missing: RecipientResult = { recipient: d.recipient, kind: 'failed', reply: '451 4.3.0 no result from the transport', delayType: 'InternalFailure' };
      outcomes.set(d.id, outcomeOf(r ?? missing, d, at, expiry));
    }

    // Looked up only when a bounce or complaint needs it: most recipients are simply delivered.
    let feedback: Promise<string | undefined> | undefined;
    const feedbackTo = (): Promise<string | undefined> =>
      (feedback ??= generatedMail ? Promise.resolve(undefined) : deps.policy.feedbackAddress(scope, fromDomain(message.raw) ?? '', message.feedbackAddress ?? message.envelopeFrom));
    const updates: DeliveryUpdate[] = [];
    for (const d of deliveries) {
      updates.push(await settle(message, scope, d, outcomes.get(d.id)!, at, expiry, feedbackTo));
    }
    await markNowhereToGo(message, scope, updates);
    return updates;
  };

  /**
   * Marks the events no destination can take, to be written settled: without a configuration set,
   * only an identity notification topic (Bounce, Complaint, Delivery) could take one (mayHaveDestinations).
   */
  async function markNowhereToGo(message: QueuedMessage, scope: Scope, updates: DeliveryUpdate[]): Promise<void> {
    for (const e of updates.flatMap((u) => u.events)) e.nowhereToGo = await hasNowhereToGo(deps.policy, scope, e, message.configurationSet);
  }

  function simulated(scenario: SimulatorScenario): Outcome {
    const reply = SIMULATOR_REPLIES[scenario];
    if (scenario === 'bounce') return { kind: 'bounced', bounceType: 'Permanent', bounceSubType: 'General', reply, simulated: true };
    if (scenario === 'suppressionlist') return { kind: 'suppressed' };
    return { kind: 'delivered', reply, scenario };
  }

  async function send(message: QueuedMessage, scope: Scope, rows: ClaimedDelivery[]): Promise<RecipientResult[]> {
    const to = rows.map((r) => r.recipient);
    try {
      const mode = (await deps.policy.deliveryMode(scope)) ?? deps.mode;
      const transport = deps.transports[mode];
      if (!transport) return to.map((recipient) => ({ recipient, kind: 'failed', reply: `451 4.3.5 delivery mode ${mode} is not configured`, delayType: 'InternalFailure' }));
      const generatedMail = message.sourceApi === GENERATED_SOURCE;
      const domain = to[0]!.slice(to[0]!.lastIndexOf('@') + 1).toLowerCase();
      let from = '';
      let raw = message.raw;
      if (!generatedMail && transport.name !== 'capture') {
        const fromDom = fromDomain(message.raw);
        const key = fromDom ? await deps.dkimKeys.keyFor(scope.accountId, scope.region, fromDom) : undefined;
        raw = await outgoingMessage(message.raw, { feedbackId: feedbackIdHeader(scope.accountId, scope.region, message.configurationSet), key, sign: deps.sign });
        const bounceDomain = (fromDom && (await deps.policy.mailFromDomain(scope, fromDom))) || deps.hostname;
        from = envelopeSender(message.id, bounceDomain);
      }
      const requireTls = await deps.policy.requireTls(scope, message.configurationSet);
      return await transport.send({ from, to, domain, raw, requireTls });
    } catch (err) {
      // A bug or a failed lookup here must not lose the recipients: they are tried again.
      deps.log.error({ err, messageId: message.id }, 'delivery attempt failed before sending');
      return to.map((recipient) => ({ recipient, kind: 'failed', reply: `451 4.3.0 ${(err as Error).message}`, delayType: 'InternalFailure' }));
    }
  }

  function outcomeOf(r: RecipientResult, d: ClaimedDelivery, at: number, expiry: number): Outcome {
    if (r.kind === 'accepted') return { kind: 'delivered', reply: r.reply, remoteMtaIp: r.remoteMtaIp, outgoingIp: r.outgoingIp };
    if (r.kind === 'rejected') {
      const cls = classifyBounce(parseReply(r.reply));
      return { kind: 'bounced', ...cls, reply: r.reply, simulated: false, remoteMtaIp: r.remoteMtaIp };
    }
    const retryAt = nextAttemptAt(deps.schedule, d.attempts, at, expiry);
    if (retryAt === undefined) {
      return { kind: 'bounced', bounceType: 'Transient', bounceSubType: r.delayType === 'MailboxFull' ? 'MailboxFull' : 'General', reply: r.reply, simulated: false };
    }
    return { kind: 'deferred', retryAt, reply: r.reply, delayType: r.delayType };
  }

  async function settle(
    message: QueuedMessage,
    scope: Scope,
    d: ClaimedDelivery,
    o: Outcome,
    at: number,
    expiry: number,
    feedbackTo: () => Promise<string | undefined>,
  ): Promise<DeliveryUpdate> {
    const mail = message.mail;
    const events: DeliveryEventRecord[] = [];
    const generated: GeneratedMessage[] = [];
    const about: About = { accountId: scope.accountId, region: scope.region, raw: message.raw, envelopeFrom: message.envelopeFrom, recipient: d.recipient, acceptedAt: message.createdAt, hostname: deps.hostname, now: at };
    const base = { deliveryId: d.id, messageId: message.id, accountId: message.accountId, events, generated };

    if (o.kind === 'delivered') {
      if (mail) events.push(deliveryEvent(mail, { at, acceptedAt: message.createdAt, recipient: d.recipient, smtpResponse: o.reply, reportingMTA: deps.hostname, remoteMtaIp: o.remoteMtaIp, outgoingIp: o.outgoingIp }));
      if (o.scenario === 'complaint') {
        // SES's simulated complaints say they arrived when they were made.
        if (mail) events.push(complaintEvent(mail, { at, recipients: [d.recipient], feedbackId: newMessageId(at), userAgent: SIMULATOR_USER_AGENT, feedbackType: 'abuse', arrivalDate: at }));
        const to = await feedbackTo();
        if (to) generated.push(complaintReport(about, to, SIMULATOR_USER_AGENT));
      }
      // RFC 3834: an automatic reply goes to the Return-Path, never to a null sender.
      if (o.scenario === 'ooto' && message.envelopeFrom) generated.push(autoReply(about, message.envelopeFrom));
      return { ...base, status: 'delivered', lastResponse: o.reply };
    }

    if (o.kind === 'deferred') {
      const parsed = parseReply(o.reply);
      if (mail) {
        events.push(deliveryDelayEvent(mail, { at, delayType: o.delayType, expiresAt: expiry, recipient: { emailAddress: d.recipient, status: parsed.status, diagnosticCode: `smtp; ${o.reply}` }, reportingMTA: deps.hostname }));
      }
      return { ...base, status: 'deferred', nextAttemptAt: o.retryAt, lastResponse: o.reply };
    }

    const bounce =
      o.kind === 'suppressed' ? { bounceType: 'Permanent' as const, bounceSubType: 'Suppressed' as const, reply: SIMULATOR_REPLIES.suppressionlist, simulated: true } : o;
    const feedbackId = newMessageId(at);
    const status = parseReply(bounce.reply).status;
    const diagnosticCode = o.kind === 'suppressed' ? GLOBALLY_SUPPRESSED_DIAGNOSTIC : `smtp; ${bounce.reply}`;
    if (mail) {
      const bouncedRecipients = [{ emailAddress: d.recipient, action: 'failed' as const, status, diagnosticCode }];
      const remoteMtaIp = o.kind === 'bounced' ? o.remoteMtaIp : undefined;
      events.push(bounceEvent(mail, { bounceType: bounce.bounceType, bounceSubType: bounce.bounceSubType, bouncedRecipients, timestamp: new Date(at), feedbackId, remoteMtaIp, reportingMTA: `dns; ${deps.hostname}` }));
    }
    const to = await feedbackTo();
    if (to) generated.push(bounceNotification(about, to, { status, diagnosticCode }));
    // The simulator never touches the suppression list, and a suppressed address is already on it.
    if (o.kind === 'bounced' && !o.simulated && o.bounceType === 'Permanent' && mail) {
      try {
        if (await deps.suppression.shouldSuppress(scope, message.configurationSet, 'BOUNCE')) {
          await deps.suppression.suppress(scope, { address: d.recipient, reason: 'BOUNCE', messageId: message.id, feedbackId });
        }
      } catch (err) {
        // The bounce itself is settled either way; losing the list entry is the lesser harm.
        deps.log.error({ err, messageId: message.id, recipient: d.recipient }, 'could not add a bounced address to the suppression list');
      }
    }
    return { ...base, status: o.kind === 'suppressed' ? 'suppressed' : 'bounced', lastResponse: bounce.reply };
  }
}
