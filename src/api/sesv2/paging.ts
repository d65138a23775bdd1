// SES v2 list operations page with an opaque NextToken; sesd's is the base64 of where to resume.
import { AwsError } from '../../domain/errors.js';

export const encodeNextToken = (position: string | number): string => Buffer.from(JSON.stringify(position)).toString('base64url');

export function decodeNextToken<T extends string | number>(token: string | undefined, type: 'string' | 'number'): T | undefined {
  if (token === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value === type) return value as T;
  } catch {
    // fall through to the error
  }
  throw new AwsError('BadRequestException', 'Invalid NextToken.', 400, true, 'InvalidNextToken');
}

/** Clamps PageSize the way SES does: a default when absent, at most `max`. */
export const pageSize = (requested: number | undefined, fallback: number, max: number): number => Math.min(Math.max(1, requested ?? fallback), max);
