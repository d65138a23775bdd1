// The figures behind GET /metrics, as counter increments committed with the events that cause them
// (by the dispatcher, or by intake for events written settled; store/metric-counters.ts):
// - sesd's own: accepted messages by door, delivery outcomes, delivery latency, event dispatch lag;
// - CloudWatch event destinations: one counter per event type, labelled with the destination's
//   dimension configurations (message tag, email header or link tag values, else the default).
import type { MetricIncrement } from '../store/metric-counters.js';
import type { EventTypeNames } from './event-types.js';

export interface MetricFamily {
  name: string;
  type: 'counter' | 'histogram' | 'gauge';
  help: string;
}

export const DELIVERY_LATENCY = 'sesd_delivery_latency_seconds';
export const DISPATCH_LAG = 'sesd_event_dispatch_lag_seconds';

export const OWN_FAMILIES: readonly MetricFamily[] = [
  { name: 'sesd_messages_accepted_total', type: 'counter', help: 'Messages accepted, by door (sesv2, ses, pinpoint, smtp; sesd for its own mail is not counted).' },
  { name: 'sesd_delivery_outcomes_total', type: 'counter', help: 'What became of recipients: delivered, bounced, deferred, complained.' },
  { name: DELIVERY_LATENCY, type: 'histogram', help: 'Time from acceptance to delivery of a recipient (SES processingTimeMillis).' },
  { name: DISPATCH_LAG, type: 'histogram', help: 'Time from an event being committed to its destinations being settled (events with nowhere to go are written settled and not counted).' },
  { name: 'sesd_event_publications_total', type: 'counter', help: 'Publish attempts by destination kind and result.' },
  { name: 'sesd_queue_depth', type: 'gauge', help: 'Recipients waiting for delivery, by status.' },
  { name: 'sesd_events_pending', type: 'gauge', help: 'Events not yet published to all their destinations.' },
  { name: 'sesd_events_oldest_pending_seconds', type: 'gauge', help: 'Age of the oldest event not yet published.' },
];

/** Buckets in seconds: from a capture-mode delivery (milliseconds) to a retried one (hours). */
export const SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400];

/** A histogram observation as counter increments: each bucket at or above it, the sum and the count. */
export function observe(name: string, labels: Record<string, string>, seconds: number): MetricIncrement[] {
  const series = Object.keys(labels).length === 0 ? unlabelledSeries(name) : histogramSeries(name, labels);
  const first = SECONDS_BUCKETS.findIndex((le) => seconds <= le);
  const out = series.buckets.slice(first < 0 ? SECONDS_BUCKETS.length : first);
  out.push({ name: series.sum, labels, value: seconds }, series.count);
  return out;
}

interface HistogramSeries {
  /** An increment of 1 for each bucket, `+Inf` last. */
  buckets: MetricIncrement[];
  sum: string;
  count: MetricIncrement;
}

function histogramSeries(name: string, labels: Record<string, string>): HistogramSeries {
  const bucket = `${name}_bucket`;
  return {
    buckets: [...SECONDS_BUCKETS.map(String), '+Inf'].map((le) => Object.freeze({ name: bucket, labels: Object.freeze({ ...labels, le }), value: 1 })),
    sum: `${name}_sum`,
    count: Object.freeze({ name: `${name}_count`, labels, value: 1 }),
  };
}

// The series of each histogram without labels, made once: every capture-mode send observes its
// delivery's latency, seventeen increments that were seventeen objects and their labels each time
// (mergeIncrements also knows a frozen increment's key once made).
const unlabelled = new Map<string, HistogramSeries>();
const unlabelledSeries = (name: string): HistogramSeries => {
  let series = unlabelled.get(name);
  if (!series) unlabelled.set(name, (series = histogramSeries(name, Object.freeze({}))));
  return series;
};

const OUTCOME: Record<string, string> = { Delivery: 'delivered', Bounce: 'bounced', DeliveryDelay: 'deferred', Complaint: 'complained' };

/**
 * sesd's own figures an event moves, once, when it is settled: `now` when the dispatcher settled it
 * (its dispatch lag is observed), none when it was written settled (it had nowhere to go).
 */
export function ownFigures(event: { type: string; payload: Record<string, unknown>; sourceApi?: string; createdAt: number }, now?: number): MetricIncrement[] {
  const out: MetricIncrement[] = [];
  if ((event.type === 'Send' || event.type === 'Rendering Failure') && event.sourceApi) {
    out.push({ name: 'sesd_messages_accepted_total', labels: { door: event.sourceApi }, value: 1 });
  }
  const outcome = OUTCOME[event.type];
  if (outcome) {
    const recipients = recipientCount(event.type, event.payload);
    out.push({ name: 'sesd_delivery_outcomes_total', labels: { outcome }, value: recipients });
  }
  if (event.type === 'Delivery') {
    const ms = Number((event.payload.delivery as { processingTimeMillis?: number } | undefined)?.processingTimeMillis);
    if (Number.isFinite(ms)) out.push(...observe(DELIVERY_LATENCY, {}, ms / 1000));
  }
  if (now !== undefined) out.push(...observe(DISPATCH_LAG, {}, Math.max(0, now - event.createdAt) / 1000));
  return out;
}

function recipientCount(type: string, payload: Record<string, unknown>): number {
  const list =
    type === 'Delivery'
      ? (payload.delivery as { recipients?: unknown[] } | undefined)?.recipients
      : type === 'Bounce'
        ? (payload.bounce as { bouncedRecipients?: unknown[] } | undefined)?.bouncedRecipients
        : type === 'DeliveryDelay'
          ? (payload.deliveryDelay as { delayedRecipients?: unknown[] } | undefined)?.delayedRecipients
          : (payload.complaint as { complainedRecipients?: unknown[] } | undefined)?.complainedRecipients;
  return list?.length ?? 1;
}

export interface DimensionConfiguration {
  DimensionName: string;
  DimensionValueSource: string;
  DefaultDimensionValue: string;
}

/** The metric of a CloudWatch destination for an event: `ses_<type>_total`. */
export const cloudWatchMetricName = (names: EventTypeNames): string => `ses_${names.metric}_total`;

/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*; CloudWatch dimension names allow more (`:`, `-`). */
export function labelName(dimension: string): string {
  const cleaned = dimension.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * The characters SES takes in a dimension value from an email header: "the header names and values
 * that you use for Amazon SES event publishing may only include the letters A through Z, the numbers
 * 0 through 9, underscores (_), at signs (@), hyphens (-), and periods (.). If you specify a name or
 * value that contains other characters, the email sending call will still succeed, but the event
 * metrics will not be sent to Amazon CloudWatch." (SES Developer Guide, "Set up a CloudWatch event
 * destination for event publishing", Choosing CloudWatch Dimensions, Dimension value source.)
 */
const HEADER_DIMENSION_VALUE = /^[A-Za-z0-9_@.-]*$/;

type DimensionValue = { value: string; publishable: boolean };

/** Where each DimensionValueSource finds its value in an event record; undefined when it has none. */
function dimensionValue(d: DimensionConfiguration, record: Record<string, unknown>): DimensionValue | undefined {
  const mail = (record.mail ?? {}) as { tags?: Record<string, string[]>; headers?: { name: string; value: string }[] };
  if (d.DimensionValueSource === 'MESSAGE_TAG') return known(mail.tags?.[d.DimensionName]?.[0]);
  if (d.DimensionValueSource === 'EMAIL_HEADER') {
    const header = mail.headers?.find((h) => h.name.toLowerCase() === d.DimensionName.toLowerCase())?.value;
    return header === undefined ? undefined : { value: header, publishable: HEADER_DIMENSION_VALUE.test(header) };
  }
  // Link tags exist on Click records only (`click.linkTags`); other events take the default value.
  if (d.DimensionValueSource === 'LINK_TAG') return known((record.click as { linkTags?: Record<string, string[]> } | undefined)?.linkTags?.[d.DimensionName]?.[0]);
  return undefined;
}

const known = (value: string | undefined): DimensionValue | undefined => (value === undefined ? undefined : { value, publishable: true });

/**
 * The increment a CloudWatch destination gets for one event record. When SES would send no metric
 * (an email header value it does not take), the increment is 0: the counter does not move.
 */
export function cloudWatchIncrement(
  names: EventTypeNames,
  record: Record<string, unknown>,
  dest: { configurationSet: string; destination: string; dimensions: DimensionConfiguration[] },
): MetricIncrement {
  const labels: Record<string, string> = { configuration_set: dest.configurationSet, event_destination: dest.destination };
  let publishable = true;
  for (const d of dest.dimensions) {
    const found = dimensionValue(d, record);
    labels[labelName(d.DimensionName)] = found?.value ?? d.DefaultDimensionValue;
    if (found && !found.publishable) publishable = false;
  }
  return { name: cloudWatchMetricName(names), labels, value: publishable ? 1 : 0 };
}
