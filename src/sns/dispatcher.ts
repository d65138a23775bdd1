// The SNS dispatcher: claims due delivery rows under a lease (several nodes share the outbox),
// delivers each to its subscription — an HTTP/S POST exactly as SNS makes it, or a mail through
// intake for email and email-json — records the attempt, and schedules a retry by the delivery
// policy or gives up. A row whose node died comes back when its lease runs out (at-least-once).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SendRequest } from '../intake/send-request.js';
import { parseTopicArn } from './arn.js';
import { effectivePolicy, retryDelaySeconds } from './delivery-policy.js';
import { postMessage, type PostResult } from './http-post.js';
import { snsEmail } from './sns-email.js';
import { keySigner, snsDocument, type MessageLinks, type MessageUrls, type Signer } from './sns-message.js';
import type { ClaimedSnsDelivery, DeliveryAttempt, SnsStore, Subscription, Topic } from './sns-model.js';
import type { SigningKey } from './signing-key.js';
import { SubscriptionThrottle } from './throttle.js';
import { logBackgroundFailure } from '../store/availability.js';
import { WakeablePause } from '../wakeable-pause.js';

export interface DispatcherOptions {
  store: SnsStore;
  signingKey: SigningKey;
  urls: MessageUrls;
  /** Sends sesd's own mail (intake). */
  sendMail: (mail: SendRequest) => Promise<unknown>;
  hostname: string;
  allowPrivateEndpoints: boolean;
  defaultRetryDelaySeconds: number;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** SNS gives an endpoint 15 s to answer. */
  timeoutMs?: number;
  /** Extra CA certificates for https endpoints (tests). */
  ca?: string[];
  log: Logger;
  now?: () => number;
}

export const USER_AGENT = 'Amazon Simple Notification Service Agent';

/** The subscription an UnsubscribeConfirmation goes to: its row is gone, its payload says where it pointed. */
function unsubscribed(d: ClaimedSnsDelivery): Subscription | undefined {
  const p = d.payload;
  if (p.type !== 'UnsubscribeConfirmation' || !p.endpoint || !p.token) return undefined;
  const { region, accountId } = parseTopicArn(p.topicArn);
  return { arn: p.subscriptionArn, topicArn: p.topicArn, accountId, region, protocol: p.endpoint.protocol, endpoint: p.endpoint.url, owner: accountId, confirmed: false, token: p.token, attributes: {}, createdAt: 0 };
}
const REAP_EVERY_MS = 5_000;

export class SnsDispatcher {
  readonly workerId = `sns-${randomUUID()}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeablePause();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private lastReap = 0;
  private lastClaim = 0;
  private readonly signer: Signer;
  private readonly throttle = new SubscriptionThrottle();

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.signer = keySigner(opts.signingKey.privateKey);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  /** Claims now instead of at the next poll (after a Publish on this node). */
  poke(): void {
    this.pause.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: ClaimedSnsDelivery[] = [];
      try {
        if (this.now() - this.lastReap >= REAP_EVERY_MS) {
          this.lastReap = this.now();
          await this.opts.store.releaseExpired(this.lastReap);
        }
        // A claim is a transaction: refilling one slot per finished row cost a transaction per row.
        // Claim when half the slots are free, or once a poll interval has passed (slow endpoints).
        const free = this.opts.concurrency - this.inFlight.size;
        if (free >= this.refill() || (free > 0 && this.now() - this.lastClaim >= this.opts.pollMs)) {
          this.lastClaim = this.now();
          claimed = await this.opts.store.claim(this.workerId, free, this.opts.leaseMs, this.now());
        }
      } catch (err) {
        logBackgroundFailure(this.opts.log, err, {}, 'claiming SNS deliveries failed');
      }
      // The rows of one claim are mostly one topic's: its subscriptions and topics are read once,
      // and a message going to several subscribers is signed once.
      const lookups = claimLookups(this.opts.store, this.signer);
      for (const d of claimed) {
        const p: Promise<void> = this.deliver(d, lookups)
          .catch((err: unknown) => logBackgroundFailure(this.opts.log, err, { deliveryId: d.id }, 'SNS delivery failed; the row is retried when its lease runs out'))
          .finally(() => {
            this.inFlight.delete(p);
            if (this.opts.concurrency - this.inFlight.size >= this.refill()) this.pause.wake();
          });
        this.inFlight.add(p);
      }
      if (claimed.length === 0 || this.opts.concurrency - this.inFlight.size < this.refill()) await this.pause.sleep(this.opts.pollMs);
    }
  }

  /** Free slots worth a claim. */
  private refill(): number {
    return Math.ceil(this.opts.concurrency / 2);
  }


  private async deliver(d: ClaimedSnsDelivery, lookups: ClaimLookups): Promise<void> {
    const at = this.now();
    const subscription = (await lookups.subscription(d.subscriptionArn)) ?? unsubscribed(d);
    const attempt = (result: PostResult, outcome: DeliveryAttempt['outcome']): DeliveryAttempt => ({
      deliveryId: d.id,
      subscriptionArn: d.subscriptionArn,
      messageId: d.payload.messageId,
      attempt: d.attempts,
      at,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      outcome,
    });
    if (!subscription) {
      await this.opts.store.finish(this.workerId, attempt({ statusCode: null, latencyMs: 0, error: 'the subscription no longer exists' }, 'failed'), { status: 'failed' });
      return;
    }
    const topic = await lookups.topic(subscription.topicArn);
    const policy = effectivePolicy(topic?.attributes.DeliveryPolicy, subscription.attributes.DeliveryPolicy, this.opts.defaultRetryDelaySeconds);
    const http = subscription.protocol === 'http' || subscription.protocol === 'https';
    const until = http && policy.maxReceivesPerSecond ? this.throttle.admit(subscription.arn, d.id, policy.maxReceivesPerSecond, at) : undefined;
    if (until !== undefined) {
      await this.opts.store.postpone(this.workerId, d.id, until, at);
      return;
    }
    const result = http ? await this.post(d, subscription, topic, policy.contentType, lookups.sign) : await this.mail(d, subscription, topic, lookups.sign);

    // SNS retries server errors (5xx), 429 and failures to get an answer; any other answer is final.
    const code = result.statusCode;
    const retryable = code === null || code >= 500 || code === 429;
    // A mail accepted by intake has no status code and no error.
    const delivered = code === null ? result.error === null : code >= 200 && code < 300;
    if (delivered) {
      await this.opts.store.finish(this.workerId, attempt(result, 'delivered'), { status: 'delivered' });
      return;
    }
    const delay = retryable ? retryDelaySeconds(policy.retry, d.attempts) : undefined;
    if (delay === undefined) {
      this.opts.log.warn({ subscription: subscription.arn, messageId: d.payload.messageId, status: code, error: result.error, attempts: d.attempts }, 'SNS delivery gave up');
      await this.opts.store.finish(this.workerId, attempt(result, 'failed'), { status: 'failed' });
      return;
    }
    await this.opts.store.finish(this.workerId, attempt(result, 'retry'), { status: 'pending', at: at + Math.round(delay * 1000) });
  }

  private async post(d: ClaimedSnsDelivery, s: Subscription, topic: Topic | undefined, contentType: string, sign: Signer): Promise<PostResult> {
    const p = d.payload;
    const raw = p.type === 'Notification' && s.attributes.RawMessageDelivery === 'true';
    const headers: Record<string, string> = {
      'x-amz-sns-message-type': p.type,
      'x-amz-sns-message-id': p.messageId,
      'x-amz-sns-topic-arn': p.topicArn,
      'Content-Type': contentType,
      'User-Agent': USER_AGENT,
    };
    if (p.type !== 'SubscriptionConfirmation') headers['x-amz-sns-subscription-arn'] = s.arn;
    if (raw) headers['x-amz-sns-rawdelivery'] = 'true';
    const body = raw ? p.message : JSON.stringify(await this.document(d, s, topic, sign));
    return postMessage(s.endpoint, headers, body, { allowPrivate: this.opts.allowPrivateEndpoints, timeoutMs: this.opts.timeoutMs ?? 15_000, ca: this.opts.ca });
  }

  private async mail(d: ClaimedSnsDelivery, s: Subscription, topic: Topic | undefined, sign: Signer): Promise<PostResult> {
    const started = performance.now();
    try {
      const links = this.links(s);
      await this.opts.sendMail(
        snsEmail({
          subscription: s,
          topic,
          payload: d.payload,
          document: await this.document(d, s, topic, sign),
          subscribeUrl: links.subscribeUrl,
          unsubscribeUrl: links.unsubscribeUrl,
          hostname: this.opts.hostname,
        }),
      );
      // Accepted by intake: the mail's own delivery is the mail queue's job from here on.
      return { statusCode: null, latencyMs: performance.now() - started, error: null };
    } catch (err) {
      return { statusCode: null, latencyMs: performance.now() - started, error: (err as Error).message };
    }
  }

  private document(d: ClaimedSnsDelivery, s: Subscription, topic: Topic | undefined, sign: Signer): Promise<Record<string, unknown>> {
    const version = topic?.attributes.SignatureVersion === '2' ? '2' : '1';
    return snsDocument(d.payload, version, sign, this.links(s));
  }

  private links(s: Subscription): MessageLinks {
    const urls: MessageUrls = this.opts.urls;
    return {
      signingCertUrl: urls.signingCertUrl(),
      subscribeUrl: urls.subscribeUrl(s.topicArn, s.token),
      unsubscribeUrl: urls.unsubscribeUrl(s.arn, s.token),
    };
  }
}

type ClaimLookups = Pick<SnsStore, 'subscription' | 'topic'> & { sign: Signer };

/** Subscriptions and topics read at most once each for the rows of one claim, and each message signed once. */
function claimLookups(store: SnsStore, signer: Signer): ClaimLookups {
  const subscriptions = new Map<string, Promise<Subscription | undefined>>();
  const topics = new Map<string, Promise<Topic | undefined>>();
  const signatures = new Map<string, Promise<string>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let found = cache.get(key);
    if (!found) {
      cache.set(key, (found = read()));
      // A failed read is not kept: the next row reads again.
      found.catch(() => cache.delete(key));
    }
    return found;
  };
  return {
    subscription: (arn) => once(subscriptions, arn, () => store.subscription(arn)),
    topic: (arn) => once(topics, arn, () => store.topic(arn)),
    // The signed fields are the message's, not the subscription's: the subscribers of one Publish
    // share its signature, one RSA signature (~0.2 ms of CPU) per message rather than per subscriber.
    sign: (text, version) => once(signatures, `${version}\n${text}`, () => signer(text, version)),
  };
}
