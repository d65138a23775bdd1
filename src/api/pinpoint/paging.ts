// Pinpoint sends PageSize as a string query parameter; the tokens are sesd's (see sesv2/paging.ts).
import { invalidParameter } from '../../domain/errors.js';
import { pageSize } from '../sesv2/paging.js';

export function pinpointPageSize(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text)) throw invalidParameter(`PageSize must be a number: ${text}`);
  return pageSize(Number(text), fallback, max);
}

export { decodeNextToken, encodeNextToken } from '../sesv2/paging.js';
