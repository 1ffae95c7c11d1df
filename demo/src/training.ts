// Trains a list of (kind, options) jobs and hands back fitted models. Everything about *where*
// training runs lives here, so moving it into the package's Web Worker changes only this file.
import { Model, RecwasmError, type Dataset, type FitProgress, type ModelKind } from 'recwasm';
import type { OptionValues } from './presets.js';

export interface TrainJob {
  id: string;
  kind: ModelKind;
  options: OptionValues;
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
}

export interface TrainCallbacks {
  /** A job started (the previous one finished). */
  onStart?: (id: string) => void;
  onProgress?: (id: string, progress: FitProgress) => void;
  /** A job finished; its model belongs to the caller from now on. */
  onDone?: (result: TrainedModel) => void;
}

export interface TrainOptions extends TrainCallbacks {
  signal?: AbortSignal;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RecwasmError('CANCELLED', 'training was cancelled');
}

/**
 * Trains every job on `train`, one after another. Rejects with RecwasmError('CANCELLED') when
 * `signal` aborts; models finished before that are disposed unless onDone took them (the caller
 * owns what onDone received either way).
 */
export async function trainAll(
  jobs: readonly TrainJob[],
  train: Dataset,
  options: TrainOptions = {},
): Promise<TrainedModel[]> {
  const { signal } = options;
  const results: TrainedModel[] = [];
  for (const job of jobs) {
    // Let the page paint the previous job's final state (and see a Cancel click) first.
    await yieldToEventLoop();
    throwIfAborted(signal);
    options.onStart?.(job.id);
    const model = Model.create(job.kind, job.options);
    const losses: LossPoint[] = [];
    const started = performance.now();
    try {
      const fitOptions: Parameters<Model['fitAsync']>[1] = {
        onProgress: (progress) => {
          if (progress.epochEnded && Number.isFinite(progress.loss))
            losses.push({ epoch: progress.epoch, loss: progress.loss });
          options.onProgress?.(job.id, progress);
        },
      };
      if (signal) fitOptions.signal = signal;
      await model.fitAsync(train, fitOptions);
    } catch (error) {
      model.dispose();
      throw error;
    }
    const result = { id: job.id, model, fitMs: performance.now() - started, losses };
    results.push(result);
    options.onDone?.(result);
  }
  return results;
}
