// Statements the store's PostgreSQL connections keep prepared. A statement sent by text alone is
// parsed and planned again by its backend on each run; the per-send read (keyed-selects.ts), a
// UNION of a few small index scans, spent 0.25–0.29 ms planning for 0.016 ms running under SendEmail
// load, and the queues' polls and claims 0.2–0.5 ms each, several times a second even when idle
// (pg_stat_statements). A text marked here is sent as a named statement instead, which each
// connection parses once (pg keeps the names it prepared). Names are never reused for another text,
// so the marks are bounded and the texts past the bound run unnamed as before.
import pg from 'pg';
import type { Dialect } from './database.js';
import { forDialect } from './raw-sql.js';

const MAX_PREPARED = 64;
const names = new Map<string, string>();

/** Marks a PostgreSQL text to be kept prepared on its connections (while fewer than MAX_PREPARED are); returns it. */
export function prepared(dialect: Dialect, text: string): string {
  if (dialect === 'postgres' && !names.has(text) && names.size < MAX_PREPARED) names.set(text, `sesd_stmt_${names.size}`);
  return text;
}

/** A pg client that runs the texts marked by prepared() as named statements (Kysely passes it text and values). */
export class PreparingClient extends pg.Client {}

// pg's query() has many overloads, which the override keeps; Kysely calls the (text, values) one.
const pgQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
PreparingClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [text, values] = args;
  const name = typeof text === 'string' && Array.isArray(values) ? names.get(text) : undefined;
  return name ? pgQuery.call(this, { name, text, values }) : pgQuery.apply(this, args);
} as pg.Client['query'];

/** A statement's text as `dialect` writes it (raw-sql.ts forDialect), kept prepared on PostgreSQL. */
export const preparedSql = (dialect: Dialect, text: string): string => prepared(dialect, forDialect(dialect, text));
