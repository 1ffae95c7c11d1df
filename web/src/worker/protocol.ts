// The types of RecwasmWorker's requests and results, and the messages between the page and the
// worker. Everything here must survive structured cloning: plain objects, arrays, typed arrays,
// Maps.
import type { DatasetSummary, InteractionArrays, MovieLensFiles, MovieLensOptions } from '../dataset.js';
import type { DemoDataOptions, SplitOptions } from '../data.js';
import type { RecwasmErrorCode } from '../errors.js';
import type { Evaluation, EvaluationOptions } from '../evaluate.js';
import type { FitProgress, ModelKind, ModelOptions, Recommendation } from '../model.js';

/** Where the worker gets its data. The worker builds the {@link Dataset} itself. */
export type DatasetSource =
  /** The notebook's generated movies ({@link demoDataset}); defaults are the notebook's. */
  | { type: 'demo'; options?: DemoDataOptions }
  /**
   * MovieLens files, read as {@link Dataset.fromMovieLens} reads them. Files given as bytes
   * (Uint8Array spanning its whole buffer) are transferred, not copied, like typed arrays below.
   */
  | { type: 'movielens'; files: MovieLensFiles; options?: MovieLensOptions }
  /**
   * Your own interactions. Typed arrays that span their whole ArrayBuffer are transferred to
   * the worker, not copied (they become empty on your side) unless `transfer: false` is passed
   * to train(); anything else is copied.
   */
  | ({
      type: 'arrays';
      /** One description per catalogue item, in ascending item id order (content_tfidf). */
      itemText?: readonly string[];
      /** View sessions as lists of item ids (covisitation). */
      sessions?: readonly ArrayLike<number>[];
    } & InteractionArrays);

/**
 * How to split the data before training: {@link splitDataset}'s options (leave-one-out,
 * last-by-time or ratio), or `'none'` to train on everything and evaluate nothing.
 */
export type SplitSpec = SplitOptions | 'none';

/**
 * A model to train: a kind with the notebook's options, or a kind with options and a name
 * (names tell variants of one kind apart in events and results; they default to the kind and
 * must be unique within a request).
 */
export type ModelSpec =
  ModelKind | { [K in ModelKind]: { kind: K; options?: ModelOptions[K]; name?: string } }[ModelKind];

export interface TrainRequest {
  data: DatasetSource;
  /** Default: the notebook's leave-one-out with seed 42. */
  split?: SplitSpec;
  /** Trained one after another, in this order. */
  models: readonly ModelSpec[];
  /**
   * Evaluate every model on the split's test part, as {@link evaluate} does (default `{ k: 10 }`
   * when the split has a test part); `false` skips it.
   */
  evaluate?: false | EvaluationOptions;
  /** Also return each model's top-k for these users (users a model cannot serve are left out). */
  recommend?: { users: readonly number[]; k?: number };
  /** Return each model's snapshot for {@link Model.load} (default true). */
  snapshots?: boolean;
  /** Target duration of one training slice; cancellation takes effect between slices (default 10). */
  sliceMilliseconds?: number;
}

/** A model's training progress, posted after every slice. */
export interface TrainProgress extends FitProgress {
  /** The model's name (its kind unless the request named it). */
  name: string;
  kind: ModelKind;
  /** Position in the request's `models`. */
  index: number;
  /** Since this model's training started. */
  elapsedMs: number;
}

/** One model's outcome, delivered as soon as it finished (see TrainOptions.onModel). */
export interface TrainedModel {
  name: string;
  kind: ModelKind;
  index: number;
  /** Every option with its effective value. */
  options: Readonly<Record<string, number | boolean | string>>;
  /** Load with {@link Model.load} on any thread (absent with `snapshots: false` or on error). */
  snapshot?: Uint8Array;
  /** Wall time of training. */
  fitMs: number;
  /** The last progress report (epochs, final loss, examples per second). */
  progress?: FitProgress;
  /** Mean training loss of every completed epoch that a progress report showed, in order. */
  losses: number[];
  evaluation?: Evaluation;
  /** User id -> top-k, for the request's `recommend.users`. */
  recommendations?: Map<number, Recommendation>;
  /** Why this model failed (e.g. TRAINING_DIVERGED, INVALID_ARGUMENT); the others still train. */
  error?: { code: RecwasmErrorCode; message: string };
}

export interface TrainResult {
  /** The whole dataset, and the split's parts (`test` absent with split `'none'`). */
  data: DatasetSummary;
  train: DatasetSummary;
  test?: DatasetSummary;
  /** In request order. */
  models: TrainedModel[];
  /** Wall time of the whole request inside the worker. */
  milliseconds: number;
}

// ---- messages (internal) ----------------------------------------------------------------------

/** @internal */
export type ClientMessage =
  | { type: 'init'; wasmUrl?: string }
  | { type: 'train'; id: number; request: TrainRequest }
  | { type: 'cancel'; id: number };

/** @internal */
export interface WireError {
  code: RecwasmErrorCode;
  message: string;
}

/** @internal */
export type WorkerMessage =
  | { type: 'ready'; kinds: ModelKind[] }
  | { type: 'load-failed'; error: WireError }
  | { type: 'dataset'; id: number; data: DatasetSummary; train: DatasetSummary; test?: DatasetSummary }
  | { type: 'progress'; id: number; progress: TrainProgress }
  | { type: 'model'; id: number; model: TrainedModel }
  | { type: 'done'; id: number; milliseconds: number }
  | { type: 'failed'; id: number; error: WireError };
