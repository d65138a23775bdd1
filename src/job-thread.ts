// One worker thread for occasional heavy jobs (a request body or a message of megabytes), so that
// the event loop goes on answering others meanwhile. The thread is started on first use and shared
// by every sesd in the process (tests start several): it holds nothing between jobs, never keeps
// the process alive, and is started again after it failed. Jobs run one at a time, in order.
import { parentPort, type Transferable, type Worker } from 'node:worker_threads';
import { moduleWorker } from './module-worker.js';

/** What a job answers: its result and the ArrayBuffers handed over with it instead of copied. */
export interface JobAnswer<Result> {
  result: Result;
  transfer?: ArrayBuffer[];
}

/**
 * Work on this many bytes or more (a request body, a message's content) goes to a job thread;
 * below it, the thread's round trip (copying the input, waking the thread) would cost more.
 */
export const OFF_THREAD_BYTES = 1024 * 1024;

type Message<Result> = { id: number } & ({ result: Result } | { error: unknown });

export class JobThread<Job, Result> {
  private readonly pending = new Map<number, { resolve(m: Message<Result>): void; reject(err: unknown): void }>();
  private nextId = 0;
  private thread: Worker | undefined;

  /** `base` and `name` as for moduleWorker: the module that calls serveJobs. */
  constructor(
    private readonly base: string,
    private readonly name: string,
  ) {}

  /** The job's result; what the thread's handler threw comes back as `error` for `fromError` to rebuild. */
  async run(job: Job, fromError: (error: unknown) => Error = plainError): Promise<Result> {
    const message = await new Promise<Message<Result>>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      (this.thread ??= this.start()).postMessage({ id, job });
    });
    if ('error' in message) throw fromError(message.error);
    return message.result;
  }

  private start(): Worker {
    const worker = moduleWorker(this.base, this.name);
    worker.on('message', (m: Message<Result>) => {
      this.pending.get(m.id)?.resolve(m);
      this.pending.delete(m.id);
    });
    const fail = (err: unknown) => {
      if (this.thread === worker) this.thread = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error(`the ${this.name} thread stopped`)));
    worker.unref();
    return worker;
  }
}

/** In the thread: answers each job with `handle`; what it throws goes back through `toError` (plain data). */
export function serveJobs<Job, Result>(handle: (job: Job) => Promise<JobAnswer<Result>> | JobAnswer<Result>, toError: (err: unknown) => unknown = plainErrorData): void {
  parentPort!.on('message', async ({ id, job }: { id: number; job: Job }) => {
    let answer: JobAnswer<Result>;
    try {
      answer = await handle(job);
    } catch (err) {
      parentPort!.postMessage({ id, error: toError(err) });
      return;
    }
    parentPort!.postMessage({ id, result: answer.result }, (answer.transfer ?? []) as Transferable[]);
  });
}

const plainErrorData = (err: unknown): { message: string } => ({ message: err instanceof Error ? err.message : String(err) });
const plainError = (error: unknown): Error => new Error((error as { message: string }).message);

/** The ArrayBuffers of the large byte arrays in `value`, which only it uses: those can be handed over. */
export function ownedBuffers(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value)) out.push(value);
  } else if (value instanceof Uint8Array) {
    // Small Buffers share Node's pool with others: those are copied.
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) ownedBuffers(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) ownedBuffers(v, out);
  }
  return out;
}

/** Byte arrays come back from a thread as Uint8Arrays: Buffers again (same memory). */
export function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof ArrayBuffer)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBuffers(v)]));
  }
  return value;
}
