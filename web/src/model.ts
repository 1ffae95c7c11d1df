import { Dataset } from './dataset.js';
import { RecwasmError, requireArgument } from './errors.js';
import { WasmObject } from './handle.js';
import { check, checkHandle, raw, type RawModel, type RawRequest } from './runtime.js';
import { now, yieldToEventLoop } from './schedule.js';

/** The models recwasm ships, by the names the CLI, the demo and snapshots use. */
export type ModelKind = 'popularity' | 'content_tfidf' | 'covisitation' | 'user_knn' | 'item_knn' | 'mf' | 'two_tower';

/** Options of each model; every default reproduces the notebook. */
export interface ModelOptions {
  popularity: Record<string, never>;
  content_tfidf: Record<string, number | boolean | string>;
  covisitation: Record<string, number | boolean | string>;
  user_knn: Record<string, number | boolean | string>;
  item_knn: Record<string, number | boolean | string>;
  mf: Record<string, number | boolean | string>;
  two_tower: Record<string, number | boolean | string>;
}

/** How far a training run is; reported after every slice of mini-batches. */
export interface FitProgress {
  /** The run finished and the model now serves its result. */
  done: boolean;
  /** Epochs completed. */
  epoch: number;
  /** Epochs planned (1 for models trained in one pass). */
  epochs: number;
  /** Of the whole run, 0..1. */
  fraction: number;
  /** Mean training loss of the last completed epoch (NaN before the first, and for one-pass models). */
  loss: number;
  /** Loss on the validation rows of the last completed epoch, when the model holds some out (else NaN). */
  validationLoss: number;
  /** Training examples per second over the last completed epoch (0 before the first). */
  examplesPerSecond: number;
  /** This slice completed an epoch (so `loss` is new). */
  epochEnded: boolean;
}

export interface FitOptions {
  /** Called after every slice of batches; return false to cancel (the call then throws CANCELLED). */
  onProgress?: (progress: FitProgress) => boolean | void;
  /** Cancels the run; fitAsync checks it between slices and throws CANCELLED. */
  signal?: AbortSignal;
  /**
   * Mini-batches per slice. fit() uses 64; fitAsync() by default adapts the slice so that each
   * takes about `sliceMilliseconds`, which keeps a page (or a worker's message queue) responsive.
   */
  batchesPerSlice?: number;
  /** fitAsync's target duration of one slice when batchesPerSlice is not given (default 10). */
  sliceMilliseconds?: number;
}

export interface RecommendOptions {
  /** How many items (default 10); fewer come back when fewer candidates exist. */
  k?: number;
  /** Leave out the items of the user's history (default true). */
  excludeSeen?: boolean;
  /** Items never to return. Unknown ids are ignored. */
  exclude?: ArrayLike<number>;
  /** When given, the only candidates. Unknown ids are ignored. */
  allow?: ArrayLike<number>;
  /**
   * A history to use instead of the stored one (fold-in); required for users the model has
   * never seen. Items unknown to the model are skipped.
   */
  history?: ArrayLike<number>;
  /** Ratings for `history` (default 1 each). */
  historyValues?: ArrayLike<number>;
}

export interface Recommendation {
  /** Item ids, best first. */
  items: number[];
  /** The model's score of each item. */
  scores: number[];
}

export interface Explanation {
  /** History items that contributed most, strongest first. */
  items: number[];
  weights: number[];
}

/** What a model is and what it holds. */
export interface ModelInfo {
  kind: ModelKind;
  /** Every option with its effective value (defaults included), as stored in snapshots. */
  options: Readonly<Record<string, number | boolean | string>>;
  /** A training run has completed, so the model can serve. */
  fitted: boolean;
  /** A training run is in progress (fitAsync); the previous state keeps serving meanwhile. */
  fitInProgress: boolean;
  /** Scores are rating predictions, so RMSE/MAE apply. */
  predictsRatings: boolean;
  /** Users and items of the training data (when fitted). */
  users?: number;
  items?: number;
}

function toFloat64(values: ArrayLike<number>, name: string): Float64Array {
  requireArgument(values != null && typeof values.length === 'number', `${name} must be an array of numbers`);
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

function toRequest(user: number | null, options: RecommendOptions): RawRequest {
  requireArgument(options !== null && typeof options === 'object', 'options must be an object');
  const request: RawRequest = { k: options.k ?? 10, excludeSeen: options.excludeSeen ?? true };
  if (user !== null) {
    requireArgument(typeof user === 'number', 'user must be a number (or null with a history)');
    request.user = user;
  }
  requireArgument(typeof request.k === 'number', 'k must be a number');
  if (options.history) request.history = toFloat64(options.history, 'history');
  if (options.historyValues) request.historyValues = toFloat64(options.historyValues, 'historyValues');
  if (options.exclude) request.exclude = toFloat64(options.exclude, 'exclude');
  if (options.allow) request.allow = toFloat64(options.allow, 'allow');
  return request;
}

/**
 * A recommender inside the wasm heap. Create with {@link Model.create}, train with fit() or
 * fitAsync(), query with recommend(), persist with save() / {@link Model.load}, and dispose()
 * when done. After any error the model keeps its previous state and stays usable.
 */
export class Model<K extends ModelKind = ModelKind> extends WasmObject {
  readonly #raw: RawModel;
  #fitting = false;

  /** @internal Use {@link Model.create} or {@link Model.load}. */
  constructor(handle: RawModel) {
    super(handle);
    this.#raw = handle;
  }

  /** @internal */
  protected get handle(): RawModel {
    this.assertLive();
    return this.#raw;
  }

  /**
   * A new, untrained model. Options left out take the notebook's values; unknown kinds,
   * unknown option names and out-of-range values throw INVALID_ARGUMENT (the message lists the
   * valid ones).
   */
  static create<K extends ModelKind>(kind: K, options?: ModelOptions[K]): Model<K> {
    requireArgument(typeof kind === 'string', 'model kind must be a string');
    requireArgument(
      options === undefined || (options !== null && typeof options === 'object'),
      'options must be an object',
    );
    return new Model<K>(checkHandle(raw().WasmModel.create(kind, options ?? {})));
  }

  /**
   * A trained model from save()'s bytes (written by this or an older recwasm, in wasm or
   * native). Truncated or altered bytes throw CORRUPT_SNAPSHOT; a newer format throws
   * UNSUPPORTED_VERSION. `info().kind` tells which model it is.
   */
  static load(bytes: Uint8Array | ArrayBuffer): Model {
    requireArgument(
      bytes instanceof Uint8Array || bytes instanceof ArrayBuffer,
      'snapshot must be a Uint8Array or an ArrayBuffer',
    );
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return new Model(checkHandle(raw().WasmModel.load(view)));
  }

  /** Model names this build supports, in the notebook's order. */
  static kinds(): ModelKind[] {
    return raw().modelKinds() as ModelKind[];
  }

  /** Kind, effective options and training state. */
  info(): ModelInfo {
    const info = check(this.handle.info());
    return { ...info, kind: info.kind as ModelKind };
  }

  /** Same as info().kind. */
  get kind(): K {
    return this.info().kind as K;
  }

  /** Same as info().fitted. */
  get fitted(): boolean {
    return this.info().fitted;
  }

  /**
   * Trains to completion on this thread (blocking it). A model trained before keeps serving its
   * old state until the run succeeds; on any error (or cancellation) it keeps that state.
   */
  fit(data: Dataset, options: Omit<FitOptions, 'signal' | 'sliceMilliseconds'> = {}): FitProgress {
    const batches = options.batchesPerSlice ?? 64;
    requireArgument(Number.isInteger(batches) && batches > 0, 'batchesPerSlice must be a positive integer');
    return this.#run(data, () => {
      for (;;) {
        const progress = this.#step(batches);
        const keepGoing = options.onProgress?.(progress) !== false;
        if (progress.done) return progress;
        if (!keepGoing) this.#cancelled();
      }
    });
  }

  /**
   * Trains in slices, yielding to the event loop between them so pages stay responsive and
   * `signal` can take effect. Resolves with the final progress; rejects with CANCELLED when
   * cancelled (the model then keeps its previous state).
   */
  async fitAsync(data: Dataset, options: FitOptions = {}): Promise<FitProgress> {
    const fixed = options.batchesPerSlice;
    const target = options.sliceMilliseconds ?? 10;
    requireArgument(
      fixed === undefined || (Number.isInteger(fixed) && fixed > 0),
      'batchesPerSlice must be a positive integer',
    );
    requireArgument(typeof target === 'number' && target > 0, 'sliceMilliseconds must be positive');
    if (options.signal?.aborted) this.#cancelled();
    return this.#run(data, async () => {
      let batches = fixed ?? 1;
      for (;;) {
        if (options.signal?.aborted) this.#cancelled();
        const started = now();
        const progress = this.#step(batches);
        const elapsed = now() - started;
        const keepGoing = options.onProgress?.(progress) !== false;
        if (progress.done) return progress;
        if (!keepGoing) this.#cancelled();
        if (fixed === undefined) {
          if (elapsed < target / 2) batches = Math.min(batches * 2, 1 << 16);
          else if (elapsed > target * 2) batches = Math.max(1, Math.floor(batches / 2));
        }
        await yieldToEventLoop();
      }
    });
  }

  // One run at a time per model; whatever ends a run early (cancellation, a throwing callback,
  // dispose() during fitAsync) drops it so the previous state keeps serving.
  #run<R extends FitProgress | Promise<FitProgress>>(data: Dataset, body: () => R): R {
    requireArgument(!this.#fitting, `${this.info().kind} is already training`);
    requireArgument(data instanceof Dataset, 'fit needs a Dataset');
    check(this.handle.beginFit(data.rawHandle));
    this.#fitting = true;
    const end = (failed: boolean) => {
      this.#fitting = false;
      if (failed && !this.disposed) this.#raw.cancelFit();
    };
    let result: R;
    try {
      result = body();
    } catch (error) {
      end(true);
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (progress) => {
          end(false);
          return progress;
        },
        (error: unknown) => {
          end(true);
          throw error;
        },
      ) as R;
    }
    end(false);
    return result;
  }

  #step(batches: number): FitProgress {
    return check(this.handle.continueFit(batches));
  }

  #cancelled(): never {
    throw new RecwasmError('CANCELLED', `${this.info().kind} training was cancelled`);
  }

  /**
   * Top-k items for `user` (your id), or for a new user from `options.history` (user null).
   * Throws NOT_FITTED before training, UNKNOWN_USER for a user the model never saw when no
   * history is given, INVALID_ARGUMENT for k < 1.
   */
  recommend(user: number | null, options: RecommendOptions = {}): Recommendation {
    const recs = check(this.handle.recommend(toRequest(user, options)));
    return { items: Array.from(recs.items), scores: Array.from(recs.scores) };
  }

  /**
   * One score per catalogue item, in itemIds() order: what recommend() ranks (-Infinity marks
   * items the model never recommends). Seen items are not masked here.
   */
  score(user: number | null, options: Pick<RecommendOptions, 'history' | 'historyValues'> = {}): Float64Array {
    return check(this.handle.score(toRequest(user, options)));
  }

  /**
   * Items nearest to `item`, best first (models with an item space; others throw UNSUPPORTED;
   * an item the model does not know throws UNKNOWN_ITEM).
   */
  similarItems(item: number, k = 10): Recommendation {
    requireArgument(typeof item === 'number' && typeof k === 'number', 'similarItems(item, k) takes numbers');
    const recs = check(this.handle.similarItems(item, k));
    return { items: Array.from(recs.items), scores: Array.from(recs.scores) };
  }

  /**
   * The history items that contributed most to `item`'s score for `user` (at most `topN`,
   * default 3), strongest first; what "strength" means depends on the model.
   */
  explain(
    user: number | null,
    item: number,
    options: Pick<RecommendOptions, 'history' | 'historyValues'> & { topN?: number } = {},
  ): Explanation {
    requireArgument(typeof item === 'number', 'item must be a number');
    const result = check(this.handle.explain(toRequest(user, options), item, options.topN ?? 3));
    return { items: Array.from(result.items), weights: Array.from(result.weights) };
  }

  /**
   * A versioned, checksummed snapshot of the trained model (kind, options, training data and
   * parameters), loadable with {@link Model.load} in wasm or natively. Throws NOT_FITTED
   * before training.
   */
  save(): Uint8Array {
    return check(this.handle.save());
  }

  /** The model's user ids in internal order. */
  userIds(): Float64Array {
    return check(this.handle.userIds());
  }

  /** The model's item ids in internal order (the order of score()). */
  itemIds(): Float64Array {
    return check(this.handle.itemIds());
  }

  /** @internal */
  get rawHandle(): RawModel {
    return this.handle;
  }
}
