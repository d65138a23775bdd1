// Renders and checks SES templates off the event loop. Handlebars is synchronous and its cost grows
// faster than the template: measured, 500 KB of blocks nested 100 deep take 6 s to parse and 10 s to
// compile, and partials that double 20 times render 84 MB. No size or depth limit makes that
// impossible, so every parse and render runs in a small pool of threads, each task under a time
// limit and each thread under a memory limit; a task past either fails as an invalid template and
// its thread is replaced. The engine itself is render-engine.ts.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../../module-worker.js';
import { TemplateRenderingError, type RenderedTemplate, type RenderOptions, type TemplateContent } from './render-engine.js';

export { MAX_NESTING, MAX_RENDERED_BYTES, TemplateRenderingError } from './render-engine.js';
export type { RenderedTemplate, RenderOptions, TemplateContent } from './render-engine.js';

/** How long one parse or render may take, compile included. */
export const RENDER_TIME_LIMIT_MS = 3_000;
/** Heap of a render thread: a rendered template is at most 40 MB, so room for that and no more. */
const THREAD_HEAP_MB = 256;
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism() - 1));

export type RenderRequest =
  | { id: number; op: 'render'; content: TemplateContent; data: object; options?: RenderOptions }
  | { id: number; op: 'check'; content: TemplateContent };

export type RenderResponse =
  | { id: number; result: RenderedTemplate | undefined }
  | { id: number; error: { message: string; reason: 'missing-attribute' | 'invalid-template' } };

type Task = RenderRequest extends infer R ? (R extends RenderRequest ? Omit<R, 'id'> : never) : never;

interface Queued {
  task: Task;
  resolve(result: RenderedTemplate | undefined): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  busy?: { id: number; job: Queued; timer: NodeJS.Timeout };
}

/** A pool of render threads: tasks wait in order for a free thread. Threads start on first use. */
export class RenderPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly size = POOL_SIZE,
    private readonly timeLimitMs = RENDER_TIME_LIMIT_MS,
  ) {}

  run(task: Task): Promise<RenderedTemplate | undefined> {
    if (this.closed) return Promise.reject(new Error('the template render pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the template render pool is closed'));
    await Promise.all(this.threads.splice(0).map((t) => this.retire(t, new Error('the template render pool is closed'))));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => t.ready && !t.busy);
      if (!thread) {
        if (this.threads.length < this.size) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(() => this.replace(thread, limitError(`took longer than ${this.timeLimitMs / 1000} s`)), this.timeLimitMs);
      thread.busy = { id, job, timer };
      thread.worker.postMessage({ id, ...job.task } as RenderRequest);
    }
  }

  private spawn(): void {
    const worker = moduleWorker(import.meta.url, 'render-worker', { resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } });
    worker.unref();
    const thread: Thread = { worker, ready: false };
    worker.on('message', (res: RenderResponse | 'ready') => {
      if (res === 'ready') {
        thread.ready = true;
        this.dispatch();
        return;
      }
      const busy = thread.busy;
      if (!busy || busy.id !== res.id) return;
      clearTimeout(busy.timer);
      thread.busy = undefined;
      if ('error' in res) busy.job.reject(new TemplateRenderingError(res.error.message, res.error.reason));
      else busy.job.resolve(res.result);
      this.dispatch();
    });
    // ERR_WORKER_OUT_OF_MEMORY: the task built more than the thread's heap.
    worker.on('error', (err: Error & { code?: string }) =>
      this.replace(thread, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limitError('needed more memory than allowed') : err),
    );
    worker.on('exit', () => this.replace(thread, new Error('a template render thread exited')));
    this.threads.push(thread);
  }

  /** Fails the thread's task, ends the thread and lets a new one take the queue. */
  private replace(thread: Thread, err: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    this.threads.splice(index, 1);
    void this.retire(thread, err);
    if (!this.closed) this.dispatch();
  }

  private async retire(thread: Thread, err: Error): Promise<void> {
    const busy = thread.busy;
    thread.busy = undefined;
    if (busy) {
      clearTimeout(busy.timer);
      busy.job.reject(err);
    }
    await thread.worker.terminate();
  }
}

const limitError = (what: string) => new TemplateRenderingError(`Template could not be rendered: it ${what}.`, 'invalid-template');

// One pool for the process: templates are rendered by intake, TestRenderEmailTemplate and Pinpoint
// alike, and two threads are what the machine can spare for them.
const shared = new RenderPool();

/** Renders the template's parts with `data`; a failure is a TemplateRenderingError. */
export async function renderTemplate(content: TemplateContent, data: object, options: RenderOptions = {}): Promise<RenderedTemplate> {
  return (await shared.run({ op: 'render', content, data, options }))!;
}

/**
 * Checks that a template can be compiled before it is stored, as SES does on create and update:
 * nesting, Handlebars syntax, and partials that are referenced but not defined inline in the same part.
 */
export async function checkTemplateSyntax(content: TemplateContent): Promise<void> {
  await shared.run({ op: 'check', content });
}
