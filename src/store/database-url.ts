// What SESD_DATABASE_URL names: SQLite (empty: `sesd.db` in the data dir; a path; `file:PATH`;
// `sqlite:PATH`) or PostgreSQL (`postgres://`, `postgresql://`). Any other scheme is refused rather
// than handed to a driver that would misread it.
import { join } from 'node:path';

export type DatabaseTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export class DatabaseUrlError extends Error {}

export function databaseTarget(databaseUrl: string, dataDir: string): DatabaseTarget {
  if (!databaseUrl) return { dialect: 'sqlite', file: join(dataDir, 'sesd.db') };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-z]$/i.test(scheme)) return { dialect: 'sqlite', file: databaseUrl }; // a path (or C:\...)
  if (scheme === 'postgres' || scheme === 'postgresql') return { dialect: 'postgres', url: databaseUrl };
  if (scheme === 'file' || scheme === 'sqlite') {
    const file = databaseUrl.slice(scheme.length + 1).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new DatabaseUrlError(`${databaseUrl} names no file`);
    return { dialect: 'sqlite', file };
  }
  throw new DatabaseUrlError(`sesd stores data in SQLite (a file path, file:PATH) or PostgreSQL (postgres://user@host:5432/db), not ${scheme}:`);
}

/** The URL with its password replaced by `***`, for logs, the startup line and `sesd config --print`. */
export function maskDatabaseUrl(databaseUrl: string): string {
  if (!/^postgres(ql)?:/i.test(databaseUrl)) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    // Parameters may carry a password too (`?password=`).
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString().replace('%2A%2A%2A', '***');
  } catch {
    // pg takes libpq's forms that are not WHATWG URLs, such as a Unix socket's
    // `postgres://user:pass@/db?host=/var/run/postgresql` (no host after the @): masked as text.
    return databaseUrl.replace(/^([a-z]+:\/\/[^:@/?#]*:)[^@/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
  }
}
