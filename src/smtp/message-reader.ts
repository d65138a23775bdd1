// Reads the DATA of one message off smtp-server's stream (dot-unstuffed, line ends untouched),
// checking size and line ends as it goes. Past the size limit or after a bare line end the rest is
// drained but no longer kept, so an oversized or refused message costs no memory.
import type { Readable } from 'node:stream';
import { LineEndingCheck } from './line-endings.js';

export interface ReceivedMessage {
  raw: Buffer;
  bytes: number;
  tooLong: boolean;
  bareLineEnding: boolean;
}

/** Resolves at the end of DATA; rejects when the client goes away before it. */
export function readMessage(stream: Readable, maxBytes: number): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const lineEndings = new LineEndingCheck();
    let chunks: Buffer[] = [];
    let bytes = 0;
    let ended = false;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      lineEndings.push(chunk);
      if (bytes > maxBytes || lineEndings.bare) chunks = [];
      else chunks.push(chunk);
    });
    stream.once('end', () => {
      ended = true;
      lineEndings.end();
      const tooLong = bytes > maxBytes;
      const bareLineEnding = lineEndings.bare;
      resolve({ raw: tooLong || bareLineEnding ? Buffer.alloc(0) : Buffer.concat(chunks, bytes), bytes, tooLong, bareLineEnding });
    });
    stream.once('error', reject);
    stream.once('close', () => {
      if (!ended) reject(new Error('the client went away before the end of DATA'));
    });
  });
}
