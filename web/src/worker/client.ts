// RecwasmWorker: trains models off the main thread. The page side of the protocol in
// protocol.ts; the worker side is serve.ts.
import type { DatasetSummary } from '../dataset.js';
import { RecwasmError, requireArgument } from '../errors.js';
import type { ModelKind } from '../model.js';
import type {
  ClientMessage,
  DatasetSource,
  TrainProgress,
  TrainRequest,
  TrainResult,
  TrainedModel,
  WorkerMessage,
} from './protocol.js';

/** What RecwasmWorker needs of a Web Worker (a DOM `Worker` is one). */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message: string; preventDefault(): void }) => void): void;
  addEventListener(type: 'messageerror', listener: () => void): void;
  terminate(): void;
}

export interface RecwasmWorkerOptions {
  /** Where the worker fetches `recwasm.wasm` (browsers); by default, next to its own module. */
  wasmUrl?: string | URL;
  /**
   * A worker you started yourself from the `recwasm/worker` module, for bundlers that do not
   * understand `new Worker(new URL('…', import.meta.url))` (Vite, webpack 5 and Rollup's
   * plugins do, so most pages need nothing here). Browsers only.
   */
  worker?: WebWorkerLike;
}

/** The split a job trains on, reported before the first model starts. */
export interface TrainData {
  data: DatasetSummary;
  train: DatasetSummary;
  test?: DatasetSummary;
}

export interface TrainOptions {
  /** Aborting rejects train() with CANCELLED at once; the worker stops after its current slice. */
  signal?: AbortSignal;
  /** Once the worker built the dataset and split. */
  onData?: (data: TrainData) => void;
  /** After every training slice of every model (fraction, epoch, loss, examples/s). */
  onProgress?: (progress: TrainProgress) => void;
  /** As soon as each model is trained (and evaluated), before train() resolves. */
  onModel?: (model: TrainedModel) => void;
  /**
   * Transfer the request's whole-buffer typed arrays to the worker instead of copying them
   * (default true; they become empty on your side).
   */
  transfer?: boolean;
}

/** @internal A worker as the client sees it: a Web Worker or a Node worker thread. */
export interface WorkerPort {
  post(message: ClientMessage, transfer: ArrayBuffer[]): void;
  onMessage(handler: (message: WorkerMessage) => void): void;
  onError(handler: (message: string) => void): void;
  terminate(): void;
  /** Node: keep the process alive only while the worker has work. */
  setBusy?(busy: boolean): void;
}

function webWorkerPort(worker: WebWorkerLike): WorkerPort {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.addEventListener('message', (event) => handler(event.data as WorkerMessage)),
    onError: (handler) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        handler(event.message || 'the worker script could not be loaded');
      });
      worker.addEventListener('messageerror', () => handler('a message from the worker could not be decoded'));
    },
    terminate: () => worker.terminate(),
  };
}

function spawnWebWorker(): WorkerPort {
  if (typeof Worker !== 'function') {
    throw new RecwasmError('UNSUPPORTED', 'RecwasmWorker needs Web Workers (or Node worker threads)');
  }
  // Written exactly like this so that bundlers (Vite, webpack 5) emit the worker as a chunk.
  return webWorkerPort(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
}

let spawnDefault: () => WorkerPort = spawnWebWorker;

/** @internal The Node entry point starts worker threads through this. */
export function setDefaultWorkerSpawner(spawn: () => WorkerPort): void {
  spawnDefault = spawn;
}

function transferables(source: DatasetSource): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (values: unknown) => {
    if (!ArrayBuffer.isView(values) || !(values.buffer instanceof ArrayBuffer)) return;
    if (values.byteOffset === 0 && values.byteLength === values.buffer.byteLength) buffers.add(values.buffer);
  };
  if (source?.type === 'arrays') {
    [
      source.users,
      source.items,
      source.ratings,
      source.timestamps,
      source.catalogue?.users,
      source.catalogue?.items,
    ].forEach(add);
    source.sessions?.forEach(add);
  } else if (source?.type === 'movielens') {
    [source.files?.ratings, source.files?.movies, source.files?.tags].forEach(add);
  }
  return [...buffers];
}

interface Pending {
  resolve(result: TrainResult): void;
  reject(error: unknown): void;
  options: TrainOptions;
  data?: TrainData;
  models: TrainedModel[];
  detach(): void;
}

/**
 * Trains any set of models in a Web Worker (in Node: a worker thread), off the thread that
 * calls it, with progress events, cancellation and the trained models handed back as snapshots.
 *
 * ```ts
 * const worker = new RecwasmWorker();
 * const result = await worker.train(
 *   { data: { type: 'demo' }, models: ['popularity', 'mf'] },
 *   { onProgress: (p) => console.log(p.name, p.fraction, p.loss), signal },
 * );
 * const mf = Model.load(result.models[1].snapshot!); // on the page, after loadRecwasm()
 * worker.terminate();
 * ```
 *
 * Works from a Vite-built page without configuration: the worker module and recwasm.wasm are
 * found through `import.meta.url`. One worker runs one job at a time; jobs queue in order.
 */
export class RecwasmWorker {
  readonly #port: WorkerPort;
  readonly #ready: Promise<ModelKind[]>;
  readonly #jobs = new Map<number, Pending>();
  #settleReady!: { resolve(kinds: ModelKind[]): void; reject(error: unknown): void };
  #loaded = false;
  #dead: RecwasmError | undefined;
  #nextId = 1;

  constructor(options: RecwasmWorkerOptions = {}) {
    requireArgument(options !== null && typeof options === 'object', 'options must be an object');
    this.#ready = new Promise<ModelKind[]>((resolve, reject) => {
      this.#settleReady = { resolve, reject };
    });
    this.#ready.catch(() => {}); // rejections reach whoever awaits ready or train()
    this.#port = options.worker ? webWorkerPort(options.worker) : spawnDefault();
    this.#port.onMessage((message) => this.#receive(message));
    this.#port.onError((message) =>
      this.#die(
        this.#loaded
          ? new RecwasmError('INTERNAL', `the recwasm worker failed: ${message}`)
          : new RecwasmError('NOT_LOADED', `the recwasm worker could not start: ${message}`),
      ),
    );
    this.#port.setBusy?.(true);
    this.#port.post(
      options.wasmUrl === undefined ? { type: 'init' } : { type: 'init', wasmUrl: String(options.wasmUrl) },
      [],
    );
  }

  /** Resolves once the worker has loaded recwasm; rejects with NOT_LOADED if it could not. */
  get ready(): Promise<void> {
    return this.#ready.then(() => undefined);
  }

  /** The model kinds the worker's build supports. */
  kinds(): Promise<ModelKind[]> {
    return this.#ready.then((kinds) => [...kinds]);
  }

  /**
   * Builds the dataset the request describes, splits it, and trains, evaluates and snapshots
   * every model in order. A model that fails (say TRAINING_DIVERGED) is reported in its
   * `error` and the others still train; a bad dataset or request rejects the whole call
   * (PARSE_ERROR, INVALID_ARGUMENT, ...); cancellation rejects with CANCELLED.
   */
  train(request: TrainRequest, options: TrainOptions = {}): Promise<TrainResult> {
    if (this.#dead) return Promise.reject(this.#dead);
    if (options.signal?.aborted) return Promise.reject(new RecwasmError('CANCELLED', 'training was cancelled'));
    const id = this.#nextId++;
    return new Promise<TrainResult>((resolve, reject) => {
      const onAbort = () => {
        this.#port.post({ type: 'cancel', id }, []);
        this.#finish(id)?.reject(new RecwasmError('CANCELLED', 'training was cancelled'));
      };
      const pending: Pending = {
        resolve,
        reject,
        options,
        models: [],
        detach: () => options.signal?.removeEventListener('abort', onAbort),
      };
      try {
        requireArgument(request !== null && typeof request === 'object', 'train needs a request object');
        const transfer = options.transfer === false ? [] : transferables(request.data);
        this.#port.post({ type: 'train', id, request }, transfer);
      } catch (error) {
        // DataCloneError: the request held something that cannot cross to a worker (a function,
        // a Dataset or Model object).
        reject(
          error instanceof RecwasmError
            ? error
            : new RecwasmError('INVALID_ARGUMENT', `the request cannot be sent to the worker: ${String(error)}`),
        );
        return;
      }
      this.#jobs.set(id, pending);
      this.#port.setBusy?.(true);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops the worker at once; pending train() calls reject with CANCELLED. */
  terminate(): void {
    this.#die(new RecwasmError('CANCELLED', 'the recwasm worker was terminated'));
  }

  /** Same as terminate(), for `using` declarations. */
  [Symbol.dispose](): void {
    this.terminate();
  }

  #receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.#loaded = true;
        this.#settleReady.resolve(message.kinds);
        this.#updateBusy();
        return;
      case 'load-failed':
        this.#die(new RecwasmError(message.error.code, `the recwasm worker could not load: ${message.error.message}`));
        return;
      case 'failed':
        this.#finish(message.id)?.reject(new RecwasmError(message.error.code, message.error.message));
        return;
    }
    const job = this.#jobs.get(message.id);
    if (!job) return; // a cancelled job's last words
    try {
      switch (message.type) {
        case 'dataset': {
          job.data = { data: message.data, train: message.train, ...(message.test ? { test: message.test } : {}) };
          job.options.onData?.(job.data);
          break;
        }
        case 'progress':
          job.options.onProgress?.(message.progress);
          break;
        case 'model':
          job.models.push(message.model);
          job.options.onModel?.(message.model);
          break;
        case 'done': {
          const data = job.data;
          this.#finish(message.id);
          if (!data) throw new RecwasmError('INTERNAL', 'the worker finished without reporting its dataset');
          job.resolve({ ...data, models: job.models, milliseconds: message.milliseconds });
          break;
        }
      }
    } catch (error) {
      // A throwing callback ends its job (not the worker).
      if (this.#jobs.has(message.id)) this.#port.post({ type: 'cancel', id: message.id }, []);
      this.#finish(message.id);
      job.reject(error);
    }
  }

  #finish(id: number): Pending | undefined {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    this.#jobs.delete(id);
    job.detach();
    this.#updateBusy();
    return job;
  }

  #updateBusy(): void {
    this.#port.setBusy?.(!this.#dead && (!this.#loaded || this.#jobs.size > 0));
  }

  #die(error: RecwasmError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#port.terminate();
    this.#settleReady.reject(error);
    for (const id of [...this.#jobs.keys()]) this.#finish(id)?.reject(error);
    this.#port.setBusy?.(false);
  }
}
