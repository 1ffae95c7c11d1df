// Trains a list of (kind, options) jobs and hands back fitted models. Everything about *where*
// training runs lives here: in the package's Web Worker (RecwasmWorker), which builds its own
// copy of the dataset from the same source, trains, ranks the test users and sends each model
// back as a snapshot, so the page stays responsive whatever the data size.
import {
  Model,
  RecwasmError,
  RecwasmWorker,
  type DatasetSource,
  type FitProgress,
  type ModelKind,
  type ModelSpec,
  type MovieLensFiles,
  type TrainedModel as WorkerResult,
} from 'recwasm';
import { SPLIT_SEED, type DataSource } from './data.js';
import { K_MAX } from './metrics.js';
import type { OptionValues } from './presets.js';

export interface TrainJob {
  id: string;
  kind: ModelKind;
  options: OptionValues;
}

/** What to train on: where the data came from, and the users to rank for the metrics (those
 * with a held-out row). The worker rebuilds the dataset and the notebook's split from `source`. */
export interface TrainInput {
  source: DataSource;
  testUsers: readonly number[];
}

export interface LossPoint {
  epoch: number;
  loss: number;
}

export interface TrainedModel {
  id: string;
  /** Loaded on the page from the worker's snapshot. */
  model: Model;
  /** Wall-clock time of the fit (in the worker). */
  fitMs: number;
  /** Mean training loss after each reported epoch (empty for models without a loss). */
  losses: LossPoint[];
  /** Every test user's top-K_MAX, for metrics at any k (see metrics.ts). */
  ranked: Map<number, number[]>;
}

export interface TrainCallbacks {
  /** A job started (the previous one finished). */
  onStart?: (id: string) => void;
  onProgress?: (id: string, progress: FitProgress) => void;
  /** A job finished; its model belongs to the caller from now on. */
  onDone?: (result: TrainedModel) => void;
  /** A job failed (e.g. TRAINING_DIVERGED); the other jobs still train. */
  onError?: (id: string, error: RecwasmError) => void;
}

export interface TrainOptions extends TrainCallbacks {
  signal?: AbortSignal;
}

let worker: RecwasmWorker | undefined;

/** Starts the worker early (it loads its own copy of the wasm module) so training starts at once. */
export function prepareTraining(): void {
  worker ??= new RecwasmWorker();
}

function datasetSource(source: DataSource): DatasetSource {
  if (source.type === 'generator') return { type: 'demo', options: { ...source.params } };
  const { ratings, movies, tags } = source.files;
  const files: MovieLensFiles = { ratings };
  if (movies !== undefined) files.movies = movies;
  if (tags !== undefined) files.tags = tags;
  return { type: 'movielens', files };
}

/**
 * Each user's top-K_MAX with their training items left out: the lists the package's evaluate()
 * scores. For models restored without their lists.
 */
export function rankUsers(model: Model, users: readonly number[]): Map<number, number[]> {
  return new Map(users.map((user) => [user, model.recommend(user, { k: K_MAX }).items]));
}

/**
 * Trains every job, one after another, and resolves with the models that trained (in job
 * order). Rejects with RecwasmError('CANCELLED') as soon as `signal` aborts (the worker is
 * stopped at once); the models onDone handed out before that belong to the caller.
 */
export async function trainAll(
  jobs: readonly TrainJob[],
  input: TrainInput,
  options: TrainOptions = {},
): Promise<TrainedModel[]> {
  const { signal } = options;
  if (signal?.aborted) throw new RecwasmError('CANCELLED', 'training was cancelled');
  const current = (worker ??= new RecwasmWorker());
  // Cancel means stop now: a model that fits in one step (kNN on a large catalogue) would
  // otherwise keep the worker busy until it finishes. The next run starts a fresh worker.
  const stop = () => {
    current.terminate();
    if (worker === current) worker = undefined;
  };
  signal?.addEventListener('abort', stop, { once: true });

  const results: TrainedModel[] = [];
  const losses = new Map<string, LossPoint[]>(jobs.map((job) => [job.id, []]));
  const startNext = (index: number) => {
    const next = jobs[index];
    if (next) options.onStart?.(next.id);
  };
  const finished = (trained: WorkerResult) => {
    startNext(trained.index + 1);
    if (trained.error || !trained.snapshot) {
      const { code, message } = trained.error ?? { code: 'INTERNAL' as const, message: 'no snapshot came back' };
      options.onError?.(trained.name, new RecwasmError(code, message));
      return;
    }
    const ranked = new Map<number, number[]>();
    trained.recommendations?.forEach((recs, user) => ranked.set(user, recs.items));
    const result: TrainedModel = {
      id: trained.name,
      model: Model.load(trained.snapshot),
      fitMs: trained.fitMs,
      losses: losses.get(trained.name) ?? [],
      ranked,
    };
    results.push(result);
    options.onDone?.(result);
  };
  try {
    await current.train(
      {
        data: datasetSource(input.source),
        split: { method: 'leave-one-out', seed: SPLIT_SEED },
        models: jobs.map((job) => ({ kind: job.kind, options: job.options, name: job.id }) as ModelSpec),
        evaluate: false, // the page derives every metric from the ranked lists below
        recommend: { users: input.testUsers, k: K_MAX },
      },
      {
        ...(signal ? { signal } : {}),
        onData: () => startNext(0),
        onProgress: (progress) => {
          if (progress.epochEnded && Number.isFinite(progress.loss)) {
            losses.get(progress.name)?.push({ epoch: progress.epoch, loss: progress.loss });
          }
          options.onProgress?.(progress.name, progress);
        },
        onModel: finished,
      },
    );
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return results;
}
