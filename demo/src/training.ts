// Trains a list of (kind, options) jobs and hands back fitted models. Everything about *where*
// training runs lives here, so moving it into the package's Web Worker changes only this file.
import { Model, RecwasmError, type Dataset, type FitProgress, type ModelKind } from 'recwasm';
import type { DataSource } from './data.js';
import { K_MAX } from './metrics.js';
import type { OptionValues } from './presets.js';

export interface TrainJob {
  id: string;
  kind: ModelKind;
  options: OptionValues;
}

/** What to train on: where the data came from, the page's copy of its training part, and the
 * users to rank for the metrics (those with a held-out row). */
export interface TrainInput {
  source: DataSource;
  train: Dataset;
  testUsers: readonly number[];
}

export interface LossPoint {
  epoch: number;
  loss: number;
}

export interface TrainedModel {
  id: string;
  model: Model;
  /** Wall-clock time of the fit. */
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

const BATCHES_PER_SLICE = 4096;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RecwasmError('CANCELLED', 'training was cancelled');
}

/**
 * Each user's top-K_MAX with their training items left out: the lists the package's evaluate()
 * scores (asked of recommend() directly, which skips evaluate()'s rating-error pass).
 */
export function rankUsers(model: Model, users: readonly number[]): Map<number, number[]> {
  return new Map(users.map((user) => [user, model.recommend(user, { k: K_MAX }).items]));
}

async function trainOne(job: TrainJob, input: TrainInput, options: TrainOptions): Promise<TrainedModel> {
  const model = Model.create(job.kind, job.options);
  const losses: LossPoint[] = [];
  const started = performance.now();
  try {
    const fitOptions: Parameters<Model['fitAsync']>[1] = {
      // Slices end at every epoch's end anyway; within an epoch, a fixed batch count would make
      // tiny batches (SGD with batchSize 1) yield to the event loop thousands of times.
      batchesPerSlice: BATCHES_PER_SLICE,
      onProgress: (progress) => {
        if (progress.epochEnded && Number.isFinite(progress.loss)) {
          losses.push({ epoch: progress.epoch, loss: progress.loss });
        }
        options.onProgress?.(job.id, progress);
      },
    };
    if (options.signal) fitOptions.signal = options.signal;
    await model.fitAsync(input.train, fitOptions);
    // A model trained in one slice finishes even if Cancel came meanwhile; Cancel still wins.
    throwIfAborted(options.signal);
    const fitMs = performance.now() - started;
    return { id: job.id, model, fitMs, losses, ranked: rankUsers(model, input.testUsers) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Trains every job, one after another, and resolves with the models that trained (in job
 * order). Rejects with RecwasmError('CANCELLED') when `signal` aborts; the models onDone handed
 * out before that belong to the caller, the others are freed.
 */
export async function trainAll(
  jobs: readonly TrainJob[],
  input: TrainInput,
  options: TrainOptions = {},
): Promise<TrainedModel[]> {
  const results: TrainedModel[] = [];
  for (const job of jobs) {
    // Let the page paint the previous job's final state (and see a Cancel click) first.
    await yieldToEventLoop();
    throwIfAborted(options.signal);
    options.onStart?.(job.id);
    let result: TrainedModel;
    try {
      result = await trainOne(job, input, options);
    } catch (error) {
      if (!(error instanceof RecwasmError) || error.code === 'CANCELLED') throw error;
      options.onError?.(job.id, error);
      continue;
    }
    results.push(result);
    options.onDone?.(result);
  }
  return results;
}
