// The thread of localstack-view.ts: parses a large stored message and serialises its view, handing
// the JSON's bytes back without copying them.
import { ownedBuffers, serveJobs } from '../job-thread.js';
import type { StoredMessage } from '../store/messages-repository.js';
import { localStackView } from './localstack-view.js';

serveJobs<StoredMessage, Uint8Array>(async (m) => {
  const json = Buffer.from(JSON.stringify(await localStackView(m)));
  return { result: json, transfer: ownedBuffers(json) };
});
