// The thread of tracked-copies.ts: rewrites a large message's HTML for one recipient, with the code
// the event loop runs for small ones.
import { ownedBuffers, serveJobs } from '../job-thread.js';
import { trackRaw, type TrackingJob } from './tracked-copies.js';
import { trackHtml } from './tracking-plan.js';

serveJobs<TrackingJob, string | Uint8Array>((job) => {
  const { content } = job;
  if ('html' in content) return { result: trackHtml(job.plan, content.html, job.messageId, job.recipient) };
  const raw = trackRaw({ ...job, content });
  if (raw.buffer === content.raw.buffer) return { result: '' };
  return { result: raw, transfer: ownedBuffers(raw) };
});
