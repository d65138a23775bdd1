// Starts a worker thread on one of sesd's own modules. sesd runs from dist/ (JavaScript), but its
// tests and `tsx` run the TypeScript sources, and Node cannot load a .ts module by itself: there
// the thread registers tsx first, as the parent process did.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `base` is the calling module's import.meta.url; `name` the module's file name without extension. */
export function moduleWorker(base: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const typescript = base.endsWith('.ts');
  const file = new URL(`./${name}${typescript ? '.ts' : '.js'}`, base);
  if (!typescript) return new Worker(file, options);
  const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}
