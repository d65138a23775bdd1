// The thread of compose.ts: composes a large message with composeHere, the code the event loop runs
// for small ones, and hands the message's bytes back without copying them.
import { ownedBuffers, serveJobs } from '../job-thread.js';
import { composeHere, type ComposeInput } from './compose.js';

serveJobs(async (input: ComposeInput) => {
  // Attachments arrive as Uint8Arrays: Buffers again (same memory), as MailComposer expects.
  const attachments = input.attachments.map((a) => ({ ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) }));
  const raw = await composeHere({ ...input, attachments });
  return { result: raw, transfer: ownedBuffers(raw) };
});
