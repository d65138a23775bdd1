// SQL written by hand for the statements every send and every delivery batch runs. Building and
// compiling them with Kysely's query builder costs more CPU than running them, so their text is
// built once per shape (a row count, an IN list's length) and each call makes only its parameter
// array. The text is written with `?` placeholders; PostgreSQL numbers its own ($1, $2, ...).
import { CompiledQuery } from 'kysely';
import type { Dialect } from './database.js';

// Keeps every multi-row INSERT well under SQLite's and PostgreSQL's bound-parameter limits.
export const ROWS_PER_STATEMENT = 400;
/** Ids per IN list, for the same reason. */
export const IDS_PER_STATEMENT = 400;

/** `count` comma-separated placeholders: `?, ?, ?`. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** `text` as `dialect` writes it. Every `?` in `text` must be a placeholder. */
export function forDialect(dialect: Dialect, text: string): string {
  let n = 0;
  return dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
}

/** The text `build` writes for a shape, built on first use of that shape and kept. */
export function precompiled<Shape>(dialect: Dialect, build: (shape: Shape) => string): (shape: Shape) => string {
  const texts = new Map<Shape, string>();
  return (shape) => {
    let text = texts.get(shape);
    if (text === undefined) texts.set(shape, (text = forDialect(dialect, build(shape))));
    return text;
  };
}

// PostgreSQL's limit on a statement's parameters (a 16-bit count in the wire protocol).
const POSTGRES_MAX_PARAMETERS = 65_535;

/**
 * PostgreSQL: INSERTs (their `$n` text, from forDialect) as one statement, each a data-modifying
 * WITH query; undefined when there is one query or fewer, another kind of statement, two into one
 * table, or too many parameters. One statement is one transaction and one round trip, where BEGIN,
 * each INSERT and COMMIT were one each: under SendEmail load an intake transaction took ~14 ms, most
 * of it waiting for the event loop between them. The queries cannot see each other's rows, so only
 * INSERTs are combined; foreign keys are checked at the statement's end, after all of them.
 */
export function combinedInserts(queries: readonly CompiledQuery[]): CompiledQuery | undefined {
  if (queries.length < 2 || !queries.every((q) => q.sql.startsWith('insert into '))) return undefined;
  // Two INSERTs into one table (a batch longer than a statement's rows) would take their ids in
  // either order: a recipient's row id is its place in the message's list.
  if (new Set(queries.map((q) => q.sql.slice(0, q.sql.indexOf(' ', 'insert into '.length)))).size < queries.length) return undefined;
  const total = queries.reduce((n, q) => n + q.parameters.length, 0);
  if (total > POSTGRES_MAX_PARAMETERS) return undefined;
  return CompiledQuery.raw(combinedText(queries), queries.flatMap((q) => q.parameters));
}

// The combined text of each recent batch shape: renumbering the placeholders of a batch's INSERTs
// (hundreds of them) was 3% of an API node's event loop under SendEmail load, for a text that the
// same shapes (the same row counts) repeat. A query's text fixes its parameter count.
const combinedTexts = new Map<string, string>();
const COMBINED_TEXTS_LIMIT = 200;

function combinedText(queries: readonly CompiledQuery[]): string {
  const key = queries.map((q) => q.sql).join('\u0000');
  let text = combinedTexts.get(key);
  if (text === undefined) {
    let offset = 0;
    const parts = queries.map((q, i) => {
      const renumbered = offset === 0 ? q.sql : q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      offset += q.parameters.length;
      return `q${i} as (${renumbered})`;
    });
    text = `with ${parts.join(', ')} select 1`;
    if (combinedTexts.size >= COMBINED_TEXTS_LIMIT) combinedTexts.clear();
    combinedTexts.set(key, text);
  }
  return text;
}

/** A column's PostgreSQL type: the type of its array parameter in a bulk insert (unnest). */
export type ColumnType = 'text' | 'bigint' | 'integer' | 'double precision' | 'bytea';

/**
 * A bytea column's values as PostgreSQL binds them: one binary parameter holding them all, then each
 * value's offset in it and its length (NULL for a NULL value). pg binds a Buffer in binary, but an
 * array of them as text: two hex digits a byte, escaped, which PostgreSQL's array parser reads a
 * character at a time. A batch of 22 messages of 100 kB took 147 ms that way (PostgreSQL 62–74 ms of
 * CPU, the client's 76–87 ms) against 27–41 ms bound so. The BatchWriter's thread packs a column
 * that still holds messages for it to compress (stored-raw.ts): it receives this function's text.
 */
export function packedBytes(values: readonly (Uint8Array | null)[]): [Buffer, number[], (number | null)[]] {
  const offsets: number[] = [];
  const lengths: (number | null)[] = [];
  let at = 0;
  for (const v of values) {
    offsets.push(at);
    lengths.push(v === null ? null : v.length);
    at += v === null ? 0 : v.length;
  }
  return [Buffer.concat(values.filter((v): v is Uint8Array => v !== null)), offsets, lengths];
}

/**
 * A packed bytea column (packedBytes) whose values the BatchWriter's thread must bind first: its
 * three parameters, which that thread replaces with packedBytes's three.
 */
const toPackInWriter = (values: readonly unknown[]) => [{ packBytes: values }, { packOffsets: true }, { packLengths: true }];

/**
 * INSERTs of rows into one table, their columns named with their PostgreSQL types (in order). On
 * SQLite multi-row VALUES, at most ROWS_PER_STATEMENT rows each, the text for each row count built
 * once. On PostgreSQL one statement whatever the rows: each column's values are one array
 * parameter, read back as rows by unnest (a bytea column's are packed: packedBytes), so its text
 * never changes and the writer thread keeps it prepared (batch-writer.ts). With a parameter per
 * value, a batch of 50 messages was a statement of ~2,000 parameters and 15 kB of text that
 * PostgreSQL parsed and planned again for each batch (its row counts make a new text): 10.3–18.4 ms
 * a batch, against 6.3–8.6 ms for the same text prepared.
 */
export class BulkInsert<Row> {
  private readonly names: (keyof Row & string)[];
  private readonly packed: boolean[];
  private readonly sqliteText: (rowCount: number) => string;
  private readonly postgresText: string;

  /** `onConflict`: what follows the rows (an upsert's clause; the rows must then be distinct). */
  constructor(
    private readonly dialect: Dialect,
    table: string,
    columns: Readonly<Partial<Record<keyof Row & string, ColumnType>>>,
    onConflict = '',
  ) {
    this.names = Object.keys(columns) as (keyof Row & string)[];
    this.packed = this.names.map((c) => columns[c] === 'bytea');
    const into = `insert into ${table} (${this.names.join(', ')})`;
    const conflict = onConflict ? ` ${onConflict}` : '';
    const row = `(${placeholders(this.names.length)})`;
    this.sqliteText = precompiled(dialect, (rowCount: number) => `${into} values ${Array(rowCount).fill(row).join(', ')}${conflict}`);
    // Rows come out of unnest in the arrays' order, as they do from VALUES: serial ids follow it.
    let n = 0;
    const arrays: string[] = [];
    const selected = this.names.map((c, i) => {
      if (!this.packed[i]) {
        arrays.push(`$${++n}::${columns[c]}[]`);
        return `c${i}`;
      }
      const bytes = ++n;
      arrays.push(`$${++n}::integer[]`, `$${++n}::integer[]`);
      return `substring($${bytes}::bytea from c${i}_at + 1 for c${i}_length)`;
    });
    const names = this.names.map((_, i) => (this.packed[i] ? `c${i}_at, c${i}_length` : `c${i}`));
    this.postgresText = `${into} select ${selected.join(', ')} from unnest(${arrays.join(', ')}) as t(${names.join(', ')})${conflict}`;
  }

  queries(rows: Row[]): CompiledQuery[] {
    if (rows.length === 0) return [];
    if (this.dialect === 'postgres') return [CompiledQuery.raw(this.postgresText, this.postgresColumns(rows))];
    // Plain loops into arrays of the final size, here and in postgresColumns: flatMap over a map of
    // each row took twice as long (intake's five INSERTs of 20 messages: 8.5 -> 4.3 µs a message on
    // SQLite), on the API thread.
    const queries: CompiledQuery[] = [];
    const names = this.names;
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const end = Math.min(rows.length, i + ROWS_PER_STATEMENT);
      const parameters: unknown[] = new Array((end - i) * names.length);
      let k = 0;
      for (let j = i; j < end; j++) {
        const row = rows[j]!;
        for (const name of names) parameters[k++] = row[name];
      }
      queries.push(CompiledQuery.raw(this.sqliteText(end - i), parameters));
    }
    return queries;
  }

  /** Each column's values as its parameter(s), in column order. */
  private postgresColumns(rows: Row[]): unknown[] {
    const parameters: unknown[] = [];
    this.names.forEach((name, i) => {
      const values: unknown[] = new Array(rows.length);
      for (let j = 0; j < rows.length; j++) values[j] = rows[j]![name];
      parameters.push(...this.postgresParameters(values, this.packed[i]!));
    });
    return parameters;
  }

  private postgresParameters(values: unknown[], packed: boolean): unknown[] {
    if (!packed) return [values];
    return values.every((v) => v === null || v instanceof Uint8Array) ? packedBytes(values as (Uint8Array | null)[]) : toPackInWriter(values);
  }
}
