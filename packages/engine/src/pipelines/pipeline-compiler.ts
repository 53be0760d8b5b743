import { Worker } from 'node:worker_threads';
import { WeirError } from '../errors.js';
import type { Logger } from '../logging.js';
import { compilePipelineSet, type CompiledPipelineSet, type PipelineSetInput } from './compile-pipeline-set.js';
import { compileWorkerEntry } from './compile-worker-entry.js';
import { errorOf, type CompileReply, type CompileRequest } from './compile-worker-protocol.js';

interface Waiting {
  resolve: (compiled: CompiledPipelineSet) => void;
  reject: (error: Error) => void;
}

/**
 * Pipelines up to this many characters (about 150 jobs) compile on the calling thread, in a few
 * ms once warm: most pipelines never wait for the thread to start (about a second from the
 * sources) nor pay its memory.
 */
export const INLINE_COMPILE_MAX_CHARS = 16 * 1024;

/** An idle thread ends after this long, giving back its heap (about 40 MB after 2,000 jobs). */
const IDLE_THREAD_MS = 60_000;

/**
 * Compiles set-pipelines on one worker thread, so the engine's event loop (the API, the checker,
 * event streams) keeps turning while a large pipeline is read and validated. The thread starts
 * at the first large set and stays a minute for the next (with its compiled schema validator);
 * it does not keep the process alive while idle. Requests are answered in the order they were made
 * (one thread; a small one compiles inline only when the thread holds none): the engine relies
 * on it to save sets of one pipeline in the order they were asked.
 */
export class PipelineCompiler {
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  compile(input: PipelineSetInput): Promise<CompiledPipelineSet> {
    if (this.stopped) return Promise.reject(stoppingError());
    if (input.text.length <= INLINE_COMPILE_MAX_CHARS && this.waiting.size === 0) {
      try {
        return Promise.resolve(compilePipelineSet(input));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const worker = this.running();
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    const answer = new Promise<CompiledPipelineSet>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) worker.ref();
    worker.postMessage({ id, input } satisfies CompileRequest);
    return answer;
  }

  /** Ends the thread; sets still compiling fail with `engine-stopping`. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(stoppingError());
    await worker?.terminate();
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const entry = compileWorkerEntry();
    const worker = new Worker(entry.filename, { eval: entry.eval, ...(entry.execArgv && { execArgv: entry.execArgv }) });
    worker.unref();
    worker.on('message', (reply: CompileReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.idle(worker);
      if ('compiled' in reply) waiting.resolve(reply.compiled);
      else waiting.reject(errorOf(reply.failure));
    });
    // A thread that died (out of memory, a bug) fails what it held; the next set starts another.
    worker.on('error', (error) => {
      this.logger.error({ err: error }, 'the pipeline compiler thread failed');
      this.forget(worker, error);
    });
    worker.on('exit', (code) => this.forget(worker, new Error(`the pipeline compiler thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private idle(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.waiting.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_THREAD_MS).unref();
  }

  private forget(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

function stoppingError(): WeirError {
  return new WeirError('engine-stopping', 'the engine is stopping; the pipeline was not set', { hint: 'set it again once weir is up' });
}
