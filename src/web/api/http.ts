// Small helpers the console's JSON API shares: its answers to bad input, JSON bodies (the HTTP
// listener keeps every body as raw bytes for SigV4), page sizes and the account/region scope.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AwsError } from '../../domain/errors.js';
import type { Scope } from '../../domain/identities/identity.js';
import { BadCursorError } from '../../store/console-queries.js';
import { SearchSyntaxError } from './search-syntax.js';
import { guard, type ConsoleAuth } from '../console-auth.js';

export const API_PREFIX = '/_sesd/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Maps what the API's callers got wrong onto 4xx answers; anything else is a 500 logged by fastify. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof ApiError) return reply.code(err.status).send({ message: err.message });
  if (err instanceof SearchSyntaxError || err instanceof BadCursorError) return reply.code(400).send({ message: err.message });
  if (err instanceof AwsError) return reply.code(err.httpStatus).send({ code: err.code, message: err.message });
  throw err;
}

export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ApiError(400, 'The body must be a JSON object.');
}

export function limitOf(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ApiError(400, `limit must be a whole number from 1 to ${max}`);
  return n;
}

export function scopeOf(query: { account?: string; region?: string }, fallback: Scope): Scope {
  const accountId = query.account || fallback.accountId;
  const region = query.region || fallback.region;
  if (!/^\d{12}$/.test(accountId)) throw new ApiError(400, 'account must be a 12-digit account id');
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ApiError(400, 'region is not a region name');
  return { accountId, region };
}

/** Wraps a handler: the console's login and CSRF rules first (console-auth.ts), then bad input as 4xx. */
export function guarded<R extends FastifyRequest>(auth: ConsoleAuth, handler: (request: R, reply: FastifyReply) => Promise<unknown>) {
  return async (request: R, reply: FastifyReply): Promise<unknown> => {
    if ((await guard(auth, request, reply)) === undefined) return reply;
    try {
      return await handler(request, reply);
    } catch (err) {
      return sendError(reply, err);
    }
  };
}
