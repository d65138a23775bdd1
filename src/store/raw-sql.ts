// SQL written by hand for the statements every send runs. Building and compiling them with Kysely's
// query builder costs more CPU than running them, so their text is built once per shape (a row
// count, an IN list's length) and each call makes only its parameter array. The text is written
// with `?` placeholders; PostgreSQL numbers its own ($1, $2, ...).
import type { Dialect } from './database.js';

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
