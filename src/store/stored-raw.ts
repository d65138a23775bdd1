// Raw messages are stored compressed (deflateRaw) when that makes them smaller: the raw message was
// most of a message's bytes on disk, and mail is mostly text (a ~1.2 kB notification keeps about a
// third of its size; base64 attachments three quarters). A row says how its `raw` is held in
// `raw_deflated` (migration 018): 1, compressed; NULL, as sent (rows written before, and messages
// compression does not shrink). Only this module knows the format.
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';

/** A raw message as a row holds it. */
export interface StoredRaw {
  raw: Buffer;
  raw_deflated: 1 | null;
}

// Small messages are compressed on the calling thread: the thread pool's round trip costs more than
// the work. Larger ones go to the pool, so that a message of megabytes never stalls the event loop.
const INLINE_BYTES = 32 * 1024;
const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);

/**
 * zlib's window and hash table sized to the message: a 1.2 kB message compresses as well with a
 * 2 kB window and a 4 kB table as with the default 32 kB and 128 kB, which zlib allocates and clears
 * for every message (a third of the time a small message took). Any window inflates with the default.
 */
function deflateOptions(bytes: number): ZlibOptions {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes))));
  return { windowBits, memLevel: Math.max(1, windowBits - 7) };
}

/** The message compressed when that shrinks it, else as it is. */
export async function storedRaw(raw: Buffer): Promise<StoredRaw> {
  if (raw.length === 0) return { raw, raw_deflated: null };
  const options = deflateOptions(raw.length);
  const deflated = raw.length <= INLINE_BYTES ? deflateRawSync(raw, options) : await deflateAsync(raw, options);
  return deflated.length < raw.length ? { raw: deflated, raw_deflated: 1 } : { raw, raw_deflated: null };
}

/** The message a row holds, as it was sent. */
export async function readRaw(raw: Uint8Array, deflated: number | boolean | null | undefined): Promise<Buffer> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!deflated) return bytes;
  return bytes.length <= INLINE_BYTES / 4 ? inflateRawSync(bytes) : inflateAsync(bytes);
}
