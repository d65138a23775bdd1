// The statements behind coalesced reads (coalesced-reads.ts), written by hand (see raw-sql.ts).
// On SQLite each table's part is its own statement (one IN list of at most IDS_PER_STATEMENT keys):
// better-sqlite3 answers each without a round trip. On PostgreSQL the parts of one scope are one
// statement, each table's rows as JSON tagged with their part: a send's three reads (settings,
// identities, suppression) were three statements on three pooled connections, each a socket write
// that woke a backend of its own; under SendEmail load those writes were 9% of the API thread's
// profile, most of it waiting for a CPU while the woken backends ran.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Scope } from '../domain/identities/identity.js';
import type { KeyedTable, ReadPart, RunParts } from './coalesced-reads.js';
import type { Dialect } from './database.js';
import { prepared } from './prepared-statements.js';
import { IDS_PER_STATEMENT, placeholders } from './raw-sql.js';
import type { Database } from './schema.js';

export function keyedSelects(db: Kysely<Database>, dialect: Dialect): RunParts {
  // Each text built once per shape (precompiled's idea, but a text here depends on the tables read,
  // not on a shape value alone). Shapes are few: the tables are the code's, an IN list holds at most
  // IDS_PER_STATEMENT keys, and a PostgreSQL read joins the parts of at most those tables.
  const texts = new Map<string, string>();
  const text = (shape: string, build: () => string): string => {
    let t = texts.get(shape);
    if (t === undefined) texts.set(shape, (t = build()));
    return t;
  };

  const sqlitePart = async (scope: Scope, { table, keys }: ReadPart): Promise<unknown[]> => {
    // The scope's own row (no key column), or the keys in IN lists of at most IDS_PER_STATEMENT.
    const chunks: string[][] = [];
    if (!table.keyColumn) chunks.push([]);
    else for (let i = 0; i < keys.length; i += IDS_PER_STATEMENT) chunks.push(keys.slice(i, i + IDS_PER_STATEMENT));
    const rows = await Promise.all(
      chunks.map(async (chunk) => {
        const sql = text(`${table.table}\u0000${chunk.length}`, () => `select * from ${table.table} where account_id = ? and region = ?${inList(table, chunk.length)}`);
        return (await db.executeQuery(CompiledQuery.raw(sql, [scope.accountId, scope.region, ...chunk]))).rows;
      }),
    );
    return rows.flat();
  };

  const postgresParts = async (scope: Scope, parts: ReadPart[]): Promise<unknown[][]> => {
    const sql = text(parts.map((p) => p.table.table).join('\u0000'), () => {
      let n = 2;
      const selects = parts.map(
        (p, i) =>
          `select ${i} as part, to_json(t) as row from ${p.table.table} t where account_id = $1 and region = $2` +
          (p.table.keyColumn ? ` and ${p.table.keyColumn} = any($${++n}::text[])` : ''),
      );
      return prepared(dialect, selects.join(' union all '));
    });
    const parameters: unknown[] = [scope.accountId, scope.region];
    for (const p of parts) if (p.table.keyColumn) parameters.push(p.keys);
    const rowsOfParts: unknown[][] = parts.map(() => []);
    // pg parses a json column: the row comes back as an object of the table's columns, numbers as
    // JSON numbers (as database.ts's parser gives int8) and booleans as booleans.
    for (const r of (await db.executeQuery<{ part: number; row: unknown }>(CompiledQuery.raw(sql, parameters))).rows) rowsOfParts[r.part]!.push(r.row);
    return rowsOfParts;
  };

  return dialect === 'postgres' ? postgresParts : (scope, parts) => Promise.all(parts.map((p) => sqlitePart(scope, p)));
}

const inList = (table: KeyedTable, count: number): string => (table.keyColumn ? ` and ${table.keyColumn} in (${placeholders(count)})` : '');
