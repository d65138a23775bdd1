// The thread of parse-mime.ts: parses a large message with postal-mime and hands its attachments'
// bytes back without copying them.
import PostalMime, { type Email } from 'postal-mime';
import { ownedBuffers, serveJobs } from '../job-thread.js';
import type { ParseJob } from './parse-mime.js';

serveJobs<ParseJob, Email>(async ({ raw, options }) => {
  const email = await PostalMime.parse(raw, options);
  return { result: email, transfer: ownedBuffers(email.attachments.map((a) => a.content)) };
});
