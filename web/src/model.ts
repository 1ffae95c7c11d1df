import { Dataset } from './dataset.js';
import { RecwasmError, requireArgument } from './errors.js';
import { WasmObject } from './handle.js';
import { check, checkHandle, raw, type RawModel, type RawRequest } from './runtime.js';
import { requireInteger, requireOptionalBoolean, requireOptions, toFloat64 } from './validate.js';

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

export interface FitProgress {
  done: boolean;
  /** Epochs completed. */
  epoch: number;
  epochs: number;
  /** Of the whole run, 0..1. */
  fraction: number;
  /** Mean training loss of the last completed epoch (NaN before the first). */
  loss: number;
  validationLoss: number;
  examplesPerSecond: number;
  epochEnded: boolean;
}

export interface FitOptions {
  /** Called after every slice of batches; return false to cancel. */
  onProgress?: (progress: FitProgress) => boolean | void;
  /** Cancels the run (fitAsync checks it between slices). */
  signal?: AbortSignal;
  /** Mini-batches per slice (default 64). */
  batchesPerSlice?: number;
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

export interface ModelInfo {
  kind: ModelKind;
  options: Readonly<Record<string, number | boolean | string>>;
  fitted: boolean;
  fitInProgress: boolean;
  predictsRatings: boolean;
  users?: number;
  items?: number;
}

function toRequest(user: number | null, options: RecommendOptions): RawRequest {
  requireArgument(options !== null && typeof options === 'object', 'options must be an object');
  const request: RawRequest = { k: options.k ?? 10, excludeSeen: options.excludeSeen ?? true };
  if (user !== null) {
    requireArgument(typeof user === 'number', 'user must be a number (or null with a history)');
    request.user = user;
  }
  requireArgument(typeof request.k === 'number', 'k must be a number');
  requireOptionalBoolean(options.excludeSeen, 'excludeSeen');
  if (options.history) request.history = toFloat64(options.history, 'history');
  if (options.historyValues) request.historyValues = toFloat64(options.historyValues, 'historyValues');
  if (options.exclude) request.exclude = toFloat64(options.exclude, 'exclude');
  if (options.allow) request.allow = toFloat64(options.allow, 'allow');
  return request;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A recommender inside the wasm heap. Create with {@link Model.create}, train with fit() or
 * fitAsync(), query with recommend(), persist with save() / {@link Model.load}, and dispose()
 * when done. After any error the model keeps its previous state and stays usable.
 */
export class Model<K extends ModelKind = ModelKind> extends WasmObject<RawModel> {
  /** @internal */
  constructor(handle: RawModel) {
    super(handle);
  }

  static create<K extends ModelKind>(kind: K, options?: ModelOptions[K]): Model<K> {
    requireArgument(typeof kind === 'string', 'model kind must be a string');
    requireArgument(
      options === undefined || (options !== null && typeof options === 'object'),
      'options must be an object',
    );
    return new Model<K>(checkHandle(raw().WasmModel.create(kind, options ?? {})));
  }

  /** A model from save()'s bytes; throws CORRUPT_SNAPSHOT or UNSUPPORTED_VERSION. */
  static load(bytes: Uint8Array): Model {
    requireArgument(bytes instanceof Uint8Array, 'snapshot must be a Uint8Array');
    return new Model(checkHandle(raw().WasmModel.load(bytes)));
  }

  /** Model names this build supports. */
  static kinds(): ModelKind[] {
    return raw().modelKinds() as ModelKind[];
  }

  info(): ModelInfo {
    const info = check(this.handle.info());
    return { ...info, kind: info.kind as ModelKind };
  }

  get kind(): K {
    return this.info().kind as K;
  }

  get fitted(): boolean {
    return this.info().fitted;
  }

  /** Trains to completion on this thread. */
  fit(data: Dataset, options: Omit<FitOptions, 'signal'> = {}): FitProgress {
    this.#begin(data, options);
    try {
      for (;;) {
        const progress = this.#step(options.batchesPerSlice);
        const keepGoing = options.onProgress?.(progress) !== false;
        if (progress.done) return progress;
        if (!keepGoing) this.#cancel();
      }
    } catch (error) {
      return this.#abandon(error);
    }
  }

  /** Trains in slices, yielding to the event loop between them so pages stay responsive. */
  async fitAsync(data: Dataset, options: FitOptions = {}): Promise<FitProgress> {
    this.#begin(data, options);
    try {
      for (;;) {
        if (options.signal?.aborted) this.#cancel();
        const progress = this.#step(options.batchesPerSlice);
        const keepGoing = options.onProgress?.(progress) !== false;
        if (progress.done) return progress;
        if (!keepGoing) this.#cancel();
        await yieldToEventLoop();
      }
    } catch (error) {
      return this.#abandon(error);
    }
  }

  #begin(data: Dataset, options: FitOptions): void {
    requireArgument(data instanceof Dataset, 'fit needs a Dataset');
    requireOptions(options);
    if (options.batchesPerSlice !== undefined)
      requireInteger(options.batchesPerSlice, 'batchesPerSlice', 1, 2 ** 31 - 1);
    requireArgument(
      options.onProgress == null || typeof options.onProgress === 'function',
      'onProgress must be a function',
    );
    check(this.handle.beginFit(data.rawHandle));
  }

  #step(batchesPerSlice = 64): FitProgress {
    return check(this.handle.continueFit(batchesPerSlice));
  }

  /** Whatever ends a run early (an error, a throwing callback) drops it: the old state serves. */
  #abandon(error: unknown): never {
    if (!this.disposed && this.handle.info().fitInProgress) this.handle.cancelFit();
    throw error;
  }

  #cancel(): never {
    this.handle.cancelFit();
    throw new RecwasmError('CANCELLED', `${this.info().kind} training was cancelled`);
  }

  /** Top-k items for `user` (your id), or for a new user from `options.history` (user null). */
  recommend(user: number | null, options: RecommendOptions = {}): Recommendation {
    const recs = check(this.handle.recommend(toRequest(user, options)));
    return { items: Array.from(recs.items), scores: Array.from(recs.scores) };
  }

  /** One score per catalogue item, in itemIds() order (-Infinity: never recommended). */
  score(user: number | null, options: Pick<RecommendOptions, 'history' | 'historyValues'> = {}): Float64Array {
    return check(this.handle.score(toRequest(user, options)));
  }

  /** Items nearest to `item` (models with an item space; others throw UNSUPPORTED). */
  similarItems(item: number, k = 10): Recommendation {
    requireArgument(typeof item === 'number', 'similarItems(item, k) takes numbers');
    requireInteger(k, 'k', 1, 2 ** 31 - 1);
    const recs = check(this.handle.similarItems(item, k));
    return { items: Array.from(recs.items), scores: Array.from(recs.scores) };
  }

  /** The history items that contributed most to `item`'s score for `user`. */
  explain(
    user: number | null,
    item: number,
    options: Pick<RecommendOptions, 'history' | 'historyValues'> & { topN?: number } = {},
  ): Explanation {
    requireArgument(typeof item === 'number', 'item must be a number');
    requireOptions(options);
    const topN = options.topN ?? 3;
    requireInteger(topN, 'topN', 1, 2 ** 31 - 1);
    const result = check(this.handle.explain(toRequest(user, options), item, topN));
    return { items: Array.from(result.items), weights: Array.from(result.weights) };
  }

  /** A versioned, checksummed snapshot (throws NOT_FITTED before training). */
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
