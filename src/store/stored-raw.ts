// Raw messages are stored compressed (deflateRaw): the raw message was most of a message's bytes on
// disk, and mail is mostly text (a ~1.2 kB notification keeps about a third of its size; base64
// attachments three quarters). A row says how its `raw` is held in `raw_deflated` (migration 018):
// 1, compressed; NULL, as sent (rows written before, tiny messages, and messages compression does
// not shrink). Only this module knows the format, and the writer threads' one line that
// compresses a deferred message (batch-writer.ts).
import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';

/** A raw message as a row holds it, or as the writer that commits the row is to compress it. */
export interface StoredRaw {
  raw: Buffer | DeferredDeflate;
  raw_deflated: 1 | null;
}

/**
 * A message the batch writer's thread compresses as it binds the row, off the event loop (at intake
 * rates compressing every small message on the event loop cost ~5% of SendEmail's rate). Its row says
 * `raw_deflated = 1` whether or not that shrinks it: text always shrinks, and a small message that
 * does not grows by a few bytes.
 */
export interface DeferredDeflate {
  deflateRaw: Buffer;
  options: ZlibOptions;
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
  // Output kept only when smaller than the message: one chunk of its size holds it (zlib's default
  // is a new 16 kB one per call, which showed as garbage collection at a thousand messages a second).
  return { windowBits, memLevel: Math.max(1, windowBits - 7), chunkSize: outputChunk(bytes) };
}

const outputChunk = (bytes: number) => Math.max(constants.Z_MIN_CHUNK, bytes + 1);

// Below this size a message is stored as sent: deflate's own framing eats most of what it would save.
const COMPRESS_FROM_BYTES = 256;

/**
 * The message compressed when it is large enough and that shrinks it, else as it is. With
 * `deferSmall`, a message the writer thread can compress without holding up other commits (up to
 * INLINE_BYTES) is left to it (DeferredDeflate); only a BatchWriter may receive such a row.
 */
export async function storedRaw(raw: Buffer): Promise<StoredRaw & { raw: Buffer }>;
export async function storedRaw(raw: Buffer, options: { deferSmall: boolean }): Promise<StoredRaw>;
export async function storedRaw(raw: Buffer, { deferSmall = false } = {}): Promise<StoredRaw> {
  if (raw.length < COMPRESS_FROM_BYTES) return { raw, raw_deflated: null };
  const options = deflateOptions(raw.length);
  if (deferSmall && raw.length <= INLINE_BYTES) return { raw: { deflateRaw: raw, options }, raw_deflated: 1 };
  const deflated = raw.length <= INLINE_BYTES ? deflateRawSync(raw, options) : await deflateAsync(raw, options);
  return deflated.length < raw.length ? { raw: ownMemory(deflated), raw_deflated: 1 } : { raw, raw_deflated: null };
}

/** The message a row holds, as it was sent; `size`, its size (the row's `size`), when known. */
export async function readRaw(raw: Uint8Array, deflated: number | boolean | null | undefined, size?: number): Promise<Buffer> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!deflated) return bytes;
  const options = size === undefined ? {} : { chunkSize: outputChunk(size) };
  return ownMemory(bytes.length <= INLINE_BYTES / 4 ? inflateRawSync(bytes, options) : await inflateAsync(bytes, options));
}

// Bytes of an output chunk left unused that are worth a copy of the output.
const WASTED_BYTES = 4096;

/**
 * zlib answers a view of its output chunk; a view posted to another thread (the SQLite writer, the
 * DKIM signers) copies the whole chunk, and a kept one keeps all of it. A copy of exactly its
 * bytes, in memory of its own, when the chunk is much larger than the output.
 */
function ownMemory(b: Buffer): Buffer {
  if (b.buffer.byteLength - b.length <= WASTED_BYTES) return b;
  const own = Buffer.allocUnsafeSlow(b.length);
  b.copy(own);
  return own;
}

// Compressed bytes inflated first when only the header block is wanted: a simple message's headers
// come out of far fewer.
const HEADER_PREFIX_BYTES = 1024;
// Output chunks of that size: a header block's, mostly (the read is transient).
const HEADER_CHUNK_BYTES = 4096;

/**
 * The start of the message a row holds, up to at least the empty line that ends its header block
 * (or all of it when it has none): only as much is decompressed as that takes, whatever the
 * message's size.
 */
export function headerBlock(raw: Uint8Array, deflated: number | boolean | null | undefined): Buffer {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!deflated) return bytes;
  for (let n = HEADER_PREFIX_BYTES; ; n *= 4) {
    // SYNC_FLUSH: what the prefix holds, without the error a cut stream would raise at its end.
    const start = inflateRawSync(bytes.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH, chunkSize: HEADER_CHUNK_BYTES });
    if (n >= bytes.length || start.includes('\r\n\r\n') || start.includes('\n\n')) return start;
  }
}
