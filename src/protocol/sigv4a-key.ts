// The public key that checks a SigV4a signature (AWS4-ECDSA-P256-SHA256). SigV4a signs with an
// ECDSA P-256 key that the signer derives from the secret access key, so that one signature serves
// any region: the private scalar is an HMAC-SHA256 of the access key id under "AWS4A" + secret, in
// NIST SP 800-108's counter mode, taken again with the next counter while it is above the curve's
// order minus two, plus one. (As AWS's signers do it: awslabs/aws-c-auth's source/key_derivation.c,
// and its v4a test suite's public keys, which test/unit/protocol/sigv4.test.ts holds this to.)
import { createECDH, createHmac, createPublicKey, type KeyObject } from 'node:crypto';

export const SIGV4A_ALGORITHM = 'AWS4-ECDSA-P256-SHA256';

// The order of P-256 minus two.
const N_MINUS_TWO = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f');
const MAX_COUNTER = 254;

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

/** The derived private scalar, 32 bytes big-endian. */
export function sigV4aPrivateScalar(accessKeyId: string, secretAccessKey: string): Buffer {
  const hmacKey = Buffer.from(`AWS4A${secretAccessKey}`, 'utf8');
  for (let counter = 1; counter <= MAX_COUNTER; counter++) {
    // i (1) || label || 0x00 || context (access key id, counter) || L (256 bits)
    const fixedInput = Buffer.concat([uint32(1), Buffer.from(SIGV4A_ALGORITHM), Buffer.from([0]), Buffer.from(accessKeyId, 'utf8'), Buffer.from([counter]), uint32(256)]);
    const candidate = BigInt(`0x${createHmac('sha256', hmacKey).update(fixedInput).digest('hex')}`);
    if (candidate > N_MINUS_TWO) continue;
    return Buffer.from((candidate + 1n).toString(16).padStart(64, '0'), 'hex');
  }
  throw new Error('no SigV4a key could be derived from this secret access key');
}

// Derived keys by access key and secret: a derivation is an HMAC and a point multiplication, once.
const cache = new Map<string, KeyObject>();
const CACHE_LIMIT = 1000;

/** The P-256 public key of the pair the signer derived from these credentials. */
export function sigV4aPublicKey(accessKeyId: string, secretAccessKey: string): KeyObject {
  const cacheKey = `${accessKeyId}\u0000${secretAccessKey}`;
  let key = cache.get(cacheKey);
  if (!key) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(sigV4aPrivateScalar(accessKeyId, secretAccessKey));
    const point = ecdh.getPublicKey(); // 0x04 || X || Y
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, key);
  }
  return key;
}
