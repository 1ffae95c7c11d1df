// Trains a list of (kind, options) jobs and hands back fitted models. Everything about *where*
// training runs lives here: on a small pool of the package's Web Workers (RecwasmWorker), one
// per core up to MAX_WORKERS. Each worker builds its own copy of the dataset from the same
// source, trains its share of the jobs (longest expected first), ranks the test users and sends
// each model back as a snapshot, so the page stays responsive whatever the data size.
import {
  RecwasmError,
  RecwasmWorker,
  type Model,
  type DatasetSource,
  type FitProgress,
  type ModelKind,
  type ModelSpec,
  type MovieLensFiles,
  type Recommendation,
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
  /** The worker's snapshot, for Model.load (the page loads it when it needs the model). */
  snapshot: Uint8Array;
  /** Wall-clock time of the fit (in the worker). */
  fitMs: number;
  /** Mean training loss after each reported epoch (empty for models without a loss). */
  losses: LossPoint[];
  /**
   * Every test user's top-K_MAX with scores, for metrics at any k (see metrics.ts); users the
   * model cannot serve are absent.
   */
  lists: Map<number, Recommendation>;
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

/** The most workers a run uses: each holds its own wasm heap and copy of the dataset. */
const MAX_WORKERS = 4;

/** Workers started ahead of a run (each loads its own copy of the wasm module). */
let pool: RecwasmWorker[] = [];

function poolSize(): number {
  const cores = typeof navigator === 'undefined' ? 0 : navigator.hardwareConcurrency;
  return Math.max(1, Math.min(cores || 2, MAX_WORKERS));
}

/** Starts the workers early so training starts at once. */
export function prepareTraining(): void {
  while (pool.length < poolSize()) pool.push(new RecwasmWorker());
}

/**
 * Expected seconds for a job on ml-latest-small (fit, ranking the test users and the snapshot,
 * as the demo's rows timed them in headless Chromium with two workers on two cores), to hand out
 * the longest jobs first and balance the workers. On other data only the order matters, and a
 * wrong guess costs only balance: with single-core Node timings as hints, the worker with the
 * two_tower family finished 1.6 s after the other.
 */
export function costHint(job: Pick<TrainJob, 'kind' | 'options'>): number {
  const { options } = job;
  switch (job.kind) {
    case 'item_knn':
      // Exact neighbours rank far slower than the bounded variants (maxStoredNeighbors).
      if (options['maxStoredNeighbors'] === undefined) return 3.75;
      return options['implicit'] === true ? 1.05 : 1.0;
    case 'two_tower':
      if (options['loss'] === 'softmax') return 2.4;
      return options['temperature'] !== undefined ? 1.5 : 1.6;
    case 'mf':
      if (options['optimizer'] === 'sgd') return 0.8;
      return options['objective'] === 'implicit' ? 1.65 : 0.52;
    case 'user_knn':
      if (options['implicit'] === true) return 0.25;
      return options['shrinkage'] !== undefined ? 0.45 : 0.38;
    case 'covisitation':
      return options['pad_with_popularity'] === true ? 0.2 : 0.14;
    case 'content_tfidf':
      return options['profile'] === 'rating' ? 0.16 : 0.12;
    default:
      return 0.06;
  }
}

/**
 * Splits job indices between `workers` lists, longest expected job first, each to the list with
 * the least expected work so far (LPT scheduling); empty lists are dropped.
 */
export function assignJobs(jobs: readonly TrainJob[], workers: number): number[][] {
  const lists: { load: number; jobs: number[] }[] = Array.from({ length: workers }, () => ({ load: 0, jobs: [] }));
  const order = jobs.map((job, index) => ({ index, cost: costHint(job) })).sort((a, b) => b.cost - a.cost);
  for (const { index, cost } of order) {
    const lightest = lists.reduce((best, list) => (list.load < best.load ? list : best));
    lightest.jobs.push(index);
    lightest.load += cost;
  }
  return lists.map((list) => list.jobs).filter((list) => list.length > 0);
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
export function rankUsers(model: Model, users: readonly number[]): Map<number, Recommendation> {
  return new Map(users.map((user) => [user, model.recommend(user, { k: K_MAX })]));
}

/**
 * Trains every job on a pool of workers (see assignJobs) and resolves with the models that
 * trained, in job order; onStart, onProgress, onDone and onError come as each worker gets there.
 * Rejects with RecwasmError('CANCELLED') as soon as `signal` aborts (every worker is stopped at
 * once); the models onDone handed out before that belong to the caller.
 */
export async function trainAll(
  jobs: readonly TrainJob[],
  input: TrainInput,
  options: TrainOptions = {},
): Promise<TrainedModel[]> {
  const { signal } = options;
  if (signal?.aborted) throw new RecwasmError('CANCELLED', 'training was cancelled');
  if (jobs.length === 0) return [];
  const assignment = assignJobs(jobs, poolSize());
  prepareTraining();
  const workers = pool.slice(0, assignment.length);
  // Cancel means stop now: a model that fits in one step (kNN on a large catalogue) would
  // otherwise keep its worker busy until it finishes. The next run starts fresh workers.
  const stop = () => {
    for (const worker of workers) worker.terminate();
    pool = pool.filter((worker) => !workers.includes(worker));
  };
  signal?.addEventListener('abort', stop, { once: true });

  const results: (TrainedModel | undefined)[] = [];
  const losses = new Map<string, LossPoint[]>(jobs.map((job) => [job.id, []]));
  const data = datasetSource(input.source);
  const trainOn = (worker: RecwasmWorker, indices: readonly number[]) => {
    const startAt = (position: number) => {
      const index = indices[position];
      if (index !== undefined) options.onStart?.(jobs[index]?.id ?? '');
    };
    const finished = (trained: WorkerResult) => {
      startAt(trained.index + 1);
      if (trained.error || !trained.snapshot) {
        const { code, message } = trained.error ?? { code: 'INTERNAL' as const, message: 'no snapshot came back' };
        options.onError?.(trained.name, new RecwasmError(code, message));
        return;
      }
      const lists = trained.recommendations ?? new Map<number, Recommendation>();
      const result: TrainedModel = {
        id: trained.name,
        snapshot: trained.snapshot,
        lists,
        fitMs: trained.fitMs,
        losses: losses.get(trained.name) ?? [],
      };
      results[indices[trained.index] ?? -1] = result;
      options.onDone?.(result);
    };
    return worker.train(
      {
        data,
        split: { method: 'leave-one-out', seed: SPLIT_SEED },
        models: indices.map((index) => {
          const job = jobs[index] as TrainJob;
          return { kind: job.kind, options: job.options, name: job.id } as ModelSpec;
        }),
        evaluate: false, // the page derives every metric from the ranked lists below
        recommend: { users: input.testUsers, k: K_MAX },
      },
      {
        ...(signal ? { signal } : {}),
        onData: () => startAt(0),
        onProgress: (progress) => {
          if (progress.epochEnded && Number.isFinite(progress.loss)) {
            losses.get(progress.name)?.push({ epoch: progress.epoch, loss: progress.loss });
          }
          options.onProgress?.(progress.name, progress);
        },
        onModel: finished,
      },
    );
  };
  try {
    await Promise.all(assignment.map((indices, i) => trainOn(workers[i] as RecwasmWorker, indices)));
  } catch (error) {
    stop(); // one worker failing (or cancelled) must not leave the others training
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return results.filter((result): result is TrainedModel => result !== undefined);
}
