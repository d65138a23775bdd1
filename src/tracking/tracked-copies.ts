// A recipient's tracked copy: its HTML rewritten (composed mail) or its raw message's HTML parts
// rewritten (raw mail). From OFF_THREAD_BYTES on, the rewrite runs in the tracking thread
// (tracking-thread.ts): measured with 5 MB of tracked HTML, small requests from another client
// waited up to 245 ms behind it on the event loop (38 ms untracked), and the rewrite runs once per recipient.
import { JobThread, OFF_THREAD_BYTES } from '../job-thread.js';
import { rewriteHtmlParts } from './mime-html.js';
import { trackHtml, type TrackingPlan } from './tracking-plan.js';

export interface TrackingJob {
  plan: TrackingPlan;
  messageId: string;
  recipient: string;
  content: { html: string } | { raw: Uint8Array };
}

const thread = new JobThread<TrackingJob, string | Uint8Array>(import.meta.url, 'tracking-thread');

/** `html` as `recipient` gets it. */
export async function trackedHtml(plan: TrackingPlan, html: string, messageId: string, recipient: string): Promise<string> {
  if (html.length < OFF_THREAD_BYTES) return trackHtml(plan, html, messageId, recipient);
  return (await thread.run({ plan, messageId, recipient, content: { html } })) as string;
}

/** `raw` as `recipient` gets it: the same Buffer when it has no HTML part to track. */
export async function trackedRaw(plan: TrackingPlan, raw: Buffer, messageId: string, recipient: string): Promise<Buffer> {
  if (raw.length < OFF_THREAD_BYTES) return trackRaw({ plan, messageId, recipient, content: { raw } });
  const out = (await thread.run({ plan, messageId, recipient, content: { raw } })) as Uint8Array | string;
  // The thread answers '' when nothing changed (the message need not travel back).
  return typeof out === 'string' ? raw : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** The job's rewrite, on the calling thread. */
export function trackRaw({ plan, messageId, recipient, content }: TrackingJob & { content: { raw: Uint8Array } }): Buffer {
  const raw = Buffer.isBuffer(content.raw) ? content.raw : Buffer.from(content.raw.buffer, content.raw.byteOffset, content.raw.byteLength);
  return rewriteHtmlParts(raw, (html) => trackHtml(plan, html, messageId, recipient));
}
