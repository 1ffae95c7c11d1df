// The worker side of RecwasmWorker: builds the dataset a request describes, trains its models in
// slices (yielding between them so a cancel message is seen), and posts progress, each model's
// result (snapshot transferred) and the end of the job. The same code runs in a Web Worker and
// in a Node worker thread; only the endpoint differs.
import { demoDataset, splitDataset } from '../data.js';
import { Dataset, type DatasetSummary } from '../dataset.js';
import { RecwasmError, requireArgument } from '../errors.js';
import { evaluate } from '../evaluate.js';
import { Model, type FitProgress, type ModelKind, type ModelOptions, type Recommendation } from '../model.js';
import { loadRecwasm } from '../runtime.js';
import { now, yieldToEventLoop } from '../schedule.js';
import type {
  ClientMessage,
  DatasetSource,
  ModelSpec,
  TrainRequest,
  TrainedModel,
  WireError,
  WorkerMessage,
} from './protocol.js';

/** @internal How a worker talks to its page. */
export interface WorkerEndpoint {
  post(message: WorkerMessage, transfer: ArrayBuffer[]): void;
  listen(handler: (message: ClientMessage) => void): void;
}

/** @internal */
export function toWireError(error: unknown): WireError {
  if (error instanceof RecwasmError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function datasetFrom(source: DatasetSource): Dataset {
  requireArgument(source !== null && typeof source === 'object', 'request.data must describe a dataset');
  switch (source.type) {
    case 'demo':
      return demoDataset(source.options ?? {});
    case 'movielens':
      return Dataset.fromMovieLens(source.files, source.options ?? {});
    case 'arrays': {
      const data = Dataset.fromArrays(source);
      try {
        if (source.itemText) data.setItemText(source.itemText);
        if (source.sessions) data.setSessions(source.sessions);
      } catch (error) {
        data.dispose();
        throw error;
      }
      return data;
    }
    default:
      throw new RecwasmError(
        'INVALID_ARGUMENT',
        `unknown dataset type '${String((source as { type: unknown }).type)}'`,
      );
  }
}

interface ResolvedSpec {
  name: string;
  kind: ModelKind;
  options: ModelOptions[ModelKind];
}

function resolveSpecs(specs: readonly ModelSpec[]): ResolvedSpec[] {
  requireArgument(Array.isArray(specs) && specs.length > 0, 'request.models must list at least one model');
  const names = new Set<string>();
  return specs.map((spec) => {
    const resolved: ResolvedSpec =
      typeof spec === 'string'
        ? { name: spec, kind: spec, options: {} }
        : { name: spec?.name ?? spec?.kind, kind: spec?.kind, options: spec?.options ?? {} };
    requireArgument(typeof resolved.kind === 'string', 'every model needs a kind');
    requireArgument(typeof resolved.name === 'string' && resolved.name !== '', 'model names must be strings');
    requireArgument(!names.has(resolved.name), `two models are named '${resolved.name}'`);
    names.add(resolved.name);
    return resolved;
  });
}

class Job {
  readonly controller = new AbortController();

  constructor(
    private readonly id: number,
    private readonly request: TrainRequest,
    private readonly endpoint: WorkerEndpoint,
  ) {}

  async run(): Promise<void> {
    const started = now();
    const { request } = this;
    requireArgument(request !== null && typeof request === 'object', 'train needs a request object');
    const specs = resolveSpecs(request.models);
    const split = request.split ?? { method: 'leave-one-out', seed: 42 };
    requireArgument(
      split === 'none' || (split !== null && typeof split === 'object'),
      "split must be options or 'none'",
    );
    using data = datasetFrom(request.data);
    const parts = split === 'none' ? { train: data, test: undefined, dispose() {} } : splitDataset(data, split);
    try {
      const summary = (d: Dataset): DatasetSummary => d.summary();
      this.post({
        type: 'dataset',
        id: this.id,
        data: summary(data),
        train: summary(parts.train),
        ...(parts.test ? { test: summary(parts.test) } : {}),
      });
      for (const [index, spec] of specs.entries()) {
        await yieldToEventLoop(); // lets a cancel message in before each model
        this.throwIfCancelled();
        const trained = await this.train(index, spec, parts.train, parts.test);
        this.post(
          { type: 'model', id: this.id, model: trained },
          trained.snapshot ? [trained.snapshot.buffer as ArrayBuffer] : [],
        );
      }
    } finally {
      parts.dispose();
    }
    this.post({ type: 'done', id: this.id, milliseconds: now() - started });
  }

  private async train(
    index: number,
    spec: ResolvedSpec,
    train: Dataset,
    test: Dataset | undefined,
  ): Promise<TrainedModel> {
    const { request } = this;
    const out: TrainedModel = { name: spec.name, kind: spec.kind, index, options: {}, fitMs: 0, losses: [] };
    let model: Model | undefined;
    const started = now();
    try {
      model = Model.create(spec.kind, spec.options);
      const progress: FitProgress = await model.fitAsync(train, {
        signal: this.controller.signal,
        ...(request.sliceMilliseconds === undefined ? {} : { sliceMilliseconds: request.sliceMilliseconds }),
        onProgress: (p) => {
          if (p.epochEnded && Number.isFinite(p.loss)) out.losses.push(p.loss);
          this.post({
            type: 'progress',
            id: this.id,
            progress: { ...p, name: spec.name, kind: spec.kind, index, elapsedMs: now() - started },
          });
        },
      });
      out.fitMs = now() - started;
      out.progress = progress;
      out.options = model.info().options;
      const evaluation = request.evaluate ?? {};
      if (evaluation !== false && test) {
        out.evaluation = evaluate(model, test, evaluation);
      }
      if (request.recommend) out.recommendations = recommendations(model, request.recommend);
      if (request.snapshots !== false) out.snapshot = model.save();
    } catch (error) {
      if (error instanceof RecwasmError && error.code === 'CANCELLED') throw error;
      out.error = toWireError(error);
      delete out.snapshot;
    } finally {
      model?.dispose();
    }
    return out;
  }

  private throwIfCancelled(): void {
    if (this.controller.signal.aborted) throw new RecwasmError('CANCELLED', 'training was cancelled');
  }

  private post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.controller.signal.aborted || message.type === 'failed') this.endpoint.post(message, transfer);
  }
}

function recommendations(model: Model, spec: { users: readonly number[]; k?: number }): Map<number, Recommendation> {
  requireArgument(Array.isArray(spec.users), 'recommend.users must be an array of user ids');
  const out = new Map<number, Recommendation>();
  for (const user of spec.users) {
    try {
      out.set(user, model.recommend(user, spec.k === undefined ? {} : { k: spec.k }));
    } catch (error) {
      if (!(error instanceof RecwasmError && error.code === 'UNKNOWN_USER')) throw error;
    }
  }
  return out;
}

/** @internal Answers a page's requests on `endpoint` until the worker is terminated. */
export function serve(endpoint: WorkerEndpoint): void {
  const jobs = new Map<number, Job>();
  let ready: Promise<void> | undefined;
  endpoint.listen((message) => {
    switch (message?.type) {
      case 'init': {
        ready = loadRecwasm(message.wasmUrl === undefined ? {} : { wasmUrl: message.wasmUrl });
        ready.then(
          () => endpoint.post({ type: 'ready', kinds: Model.kinds() }, []),
          (error: unknown) => endpoint.post({ type: 'load-failed', error: toWireError(error) }, []),
        );
        break;
      }
      case 'train': {
        const job = new Job(message.id, message.request, endpoint);
        jobs.set(message.id, job);
        (ready ?? Promise.reject(new RecwasmError('NOT_LOADED', 'the worker was not initialised')))
          .then(() => job.run())
          .catch((error: unknown) => endpoint.post({ type: 'failed', id: message.id, error: toWireError(error) }, []))
          .finally(() => jobs.delete(message.id));
        break;
      }
      case 'cancel':
        jobs.get(message.id)?.controller.abort();
        break;
    }
  });
}
