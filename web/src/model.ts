import { Dataset } from './dataset.js';
import { RecwasmError, requireArgument } from './errors.js';
import { WasmObject } from './handle.js';
import { check, checkHandle, raw, recommendKnownUser, type RawModel, type RawRequest } from './runtime.js';
import { now, yieldToEventLoop } from './schedule.js';
import { requireInteger, requireOptionalBoolean, requireOptions, toFloat64 } from './validate.js';

/** The models recwasm ships, by the names the CLI, the demo and snapshots use. */
export type ModelKind = 'popularity' | 'content_tfidf' | 'covisitation' | 'user_knn' | 'item_knn' | 'mf' | 'two_tower';

/**
 * Training options shared by the learned models (`mf`, `two_tower`). Parameters are float32,
 * as in the notebook; the same `seed` gives bit-identical models on every build (native and
 * wasm alike).
 */
export interface LearnedTrainingOptions {
  /** Passes over the training data (default 10; at least 1). */
  epochs?: number;
  /** Examples per mini-batch (default 256). */
  batchSize?: number;
  /** Step size, > 0 (default 0.01). Too large a rate fails with TRAINING_DIVERGED. */
  learningRate?: number;
  /** `'adam'` (default: Keras' Adam) or `'sgd'` (plain gradient steps). */
  optimizer?: 'adam' | 'sgd';
  /** Adam's first-moment decay (default 0.9). */
  beta1?: number;
  /** Adam's second-moment decay (default 0.999). */
  beta2?: number;
  /** Adam's epsilon, added to sqrt(v) as Keras does (default 1e-7). */
  epsilon?: number;
  /**
   * L2 penalty: `l2 * sum(w^2) / 2` over every variable (tf.nn.l2_loss). Default 1e-5 for mf
   * (the notebook's), 0 for two_tower.
   */
  l2?: number;
  /**
   * Which rows an optimizer step updates. `'dense'`: every row every step, as Keras does (rows
   * outside the batch still decay and move with their momentum; the L2 term reaches every
   * variable); `'lazy'`: only the rows the batch touched (lazy Adam), much faster on large
   * catalogues. `'auto'` (default): dense while users + items <= 4 x batchSize (the notebook's
   * data), lazy beyond (MovieLens).
   */
  updates?: 'auto' | 'dense' | 'lazy';
  /** Seeds initialisation, shuffling, negative sampling and the validation split (default 42). */
  seed?: number;
  /** Share of the training examples held out to report a validation loss (default 0, max 0.9). */
  validationFraction?: number;
  /**
   * With a validation split: stop after this many epochs without a better validation loss and
   * keep the best epoch's parameters (default 0: never stop early).
   */
  patience?: number;
  /** Initial parameters are uniform(-initScale, initScale) (default 0.05, Keras' Embedding). */
  initScale?: number;
}

/** Options of `mf`: r(u, i) = mu + b_u + b_i + <p_u, q_i>. */
export interface MfOptions extends LearnedTrainingOptions {
  /** Embedding size k (default 32). */
  factors?: number;
  /**
   * `'rating'` (default): mean squared error on the ratings, the notebook's; `'implicit'`: for
   * data without ratings, every distinct (user, item) pair is a positive and `negatives` items
   * drawn uniformly per positive (fresh each epoch) are negatives, sigmoid cross-entropy.
   */
  objective?: 'rating' | 'implicit';
  /** Negatives per positive for `'implicit'` (default 3). */
  negatives?: number;
  /**
   * Ridge strength of the fold-in for users given by a history: their factors and bias are
   * the least-squares fit of the history's ratings on the fixed item factors and biases
   * (default 1; `'implicit'` uses the mean of the history's item factors instead).
   */
  foldInL2?: number;
}

/** Options of `two_tower`: user and item embeddings, L2-normalised, scored by cosine. */
export interface TwoTowerOptions extends LearnedTrainingOptions {
  /** Embedding size (default 32). */
  factors?: number;
  /**
   * `'sigmoid'` (default, the notebook's): each distinct training pair is a positive plus
   * `negatives` uniformly drawn other items (fresh each epoch), sigmoid cross-entropy;
   * `'softmax'`: sampled softmax over in-batch negatives (batchSize <= 8192).
   */
  loss?: 'sigmoid' | 'softmax';
  /** Negatives per positive for `'sigmoid'` (default 3). */
  negatives?: number;
  /**
   * Logit = cosine / temperature (default 1, the notebook's: its logits lie in [-1, 1], so the
   * loss cannot fall far). About 0.3 trains markedly better with `'sigmoid'`.
   */
  temperature?: number;
  /** The notebook's tf.data shuffle buffer (default 5000; 0 shuffles the whole epoch). */
  shuffleBuffer?: number;
}

/**
 * Options of `content_tfidf` (TF-IDF of the item text, cosine to the user's profile). Object
 * types rather than interfaces, so that they pass as plain option records.
 */
export type ContentTfidfOptions = {
  /** Vocabulary size: the most frequent terms over all item text (default 5000; 0 = no limit). */
  max_features?: number;
  /** Drop scikit-learn's 318 English stop words ("english", the default) or keep every word. */
  stop_words?: 'english' | 'none';
  /**
   * How the history's item vectors make the profile: "mean" (default, the notebook: every row
   * weighs 1), "rating" (rows weigh their rating), "centered" (rows weigh rating minus the
   * user's mean rating, so disliked items push the profile away).
   */
  profile?: 'mean' | 'rating' | 'centered';
};

/** Options of `covisitation` (neighbours of the user's last item in session co-occurrence). */
export type CovisitationOptions = {
  /** Neighbours kept per item, most frequent first (default 50). */
  neighbors?: number;
  /**
   * Fill the list up to k with the popularity ranking after the neighbours (default false: the
   * notebook returns a short list as it is). Padded items score count / (1 + largest count).
   */
  pad_with_popularity?: boolean;
};

/**
 * Options of user_knn and item_knn (defaults reproduce the notebook's UserKNNCF / ItemKNNCF).
 * A type alias, not an interface, so that it stays assignable to plain option records.
 */
export type KnnOptions = {
  /** Neighbours per prediction (user_knn 30, item_knn 50). */
  neighbors?: number;
  /** Co-rated entries a similarity needs (2). */
  minOverlap?: number;
  /** Shrinks each similarity by n / (n + shrinkage), n the overlap (0 = off). */
  shrinkage?: number;
  /**
   * Ignore rating values (data without ratings): binary cosine of the rating sets, and an item
   * scores the sum of its neighbours' similarities (false).
   */
  implicit?: boolean;
  /**
   * 0 keeps every non-zero similarity (exact, the default). N > 0 keeps each user's (user_knn)
   * or item's (item_knn) N strongest only: much less memory and a faster fit, but a prediction
   * ignores neighbours outside the stored N, so results can differ from the notebook's.
   */
  maxStoredNeighbors?: number;
};

/** Options of each model; every default reproduces the notebook. */
export interface ModelOptions {
  popularity: Record<string, never>;
  content_tfidf: ContentTfidfOptions;
  covisitation: CovisitationOptions;
  user_knn: KnnOptions;
  item_knn: KnnOptions;
  mf: MfOptions;
  two_tower: TwoTowerOptions;
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
   * Mini-batches per slice (onProgress comes after every slice and at every epoch's end). By
   * default the slice adapts so that each takes about `sliceMilliseconds`: fitAsync() then
   * keeps a page (or a worker's message queue) responsive, and neither pays a call per few
   * examples when batches are tiny (per-rating SGD has millions of batches).
   */
  batchesPerSlice?: number;
  /** Target duration of one slice when batchesPerSlice is not given (default 10; fitAsync only). */
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

// The options object, its callback and the slice size (Embind would wrap 2^31 to a negative int).
function requireFitOptions(options: FitOptions): void {
  requireOptions(options);
  requireArgument(
    options.onProgress == null || typeof options.onProgress === 'function',
    'onProgress must be a function',
  );
  if (options.batchesPerSlice !== undefined) requireInteger(options.batchesPerSlice, 'batchesPerSlice', 1, 2 ** 31 - 1);
}

const DEFAULT_SLICE_MILLISECONDS = 10;

/** Batches per continueFit(): the caller's fixed number, or doubled and halved towards a target time. */
class SliceSize {
  readonly #fixed: number | undefined;
  readonly #targetMs: number;
  #batches: number;

  constructor(fixed: number | undefined, targetMs: number) {
    this.#fixed = fixed;
    this.#targetMs = targetMs;
    this.#batches = fixed ?? 1;
  }

  get batches(): number {
    return this.#batches;
  }

  /** Adapts to a slice that took `elapsedMs`. */
  observe(elapsedMs: number): void {
    if (this.#fixed !== undefined) return;
    if (elapsedMs < this.#targetMs / 2) this.#batches = Math.min(this.#batches * 2, 1 << 16);
    else if (elapsedMs > this.#targetMs * 2) this.#batches = Math.max(1, Math.floor(this.#batches / 2));
  }
}

function toRequest(
  user: number | null,
  options: RecommendOptions,
): RawRequest & Required<Pick<RawRequest, 'k' | 'excludeSeen'>> {
  requireArgument(options !== null && typeof options === 'object', 'options must be an object');
  const request: RawRequest & Required<Pick<RawRequest, 'k' | 'excludeSeen'>> = {
    k: options.k ?? 10,
    excludeSeen: options.excludeSeen ?? true,
  };
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

/**
 * A recommender inside the wasm heap. Create with {@link Model.create}, train with fit() or
 * fitAsync(), query with recommend(), persist with save() / {@link Model.load}, and dispose()
 * when done. After any error the model keeps its previous state and stays usable.
 */
export class Model<K extends ModelKind = ModelKind> extends WasmObject {
  readonly #raw: RawModel;
  readonly #address: number;
  #fitting = false;

  /** @internal Use {@link Model.create} or {@link Model.load}. */
  constructor(handle: RawModel) {
    super(handle);
    this.#raw = handle;
    this.#address = handle.address();
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
    // Optional fields left undefined mean "the default", not a value.
    const given: Record<string, unknown> = Object.fromEntries(
      Object.entries(options ?? {}).filter(([, value]) => value !== undefined),
    );
    return new Model<K>(checkHandle(raw().WasmModel.create(kind, given)));
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
    requireFitOptions(options);
    const slices = new SliceSize(options.batchesPerSlice, DEFAULT_SLICE_MILLISECONDS);
    return this.#run(data, () => {
      for (;;) {
        const progress = this.#step(slices);
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
    requireFitOptions(options);
    const target = options.sliceMilliseconds ?? DEFAULT_SLICE_MILLISECONDS;
    requireArgument(typeof target === 'number' && target > 0, 'sliceMilliseconds must be positive');
    if (options.signal?.aborted) this.#cancelled();
    const slices = new SliceSize(options.batchesPerSlice, target);
    return this.#run(data, async () => {
      for (;;) {
        if (options.signal?.aborted) this.#cancelled();
        const progress = this.#step(slices);
        const keepGoing = options.onProgress?.(progress) !== false;
        if (progress.done) return progress;
        if (!keepGoing) this.#cancelled();
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

  #step(slices: SliceSize): FitProgress {
    const started = now();
    const progress = check(this.handle.continueFit(slices.batches));
    slices.observe(now() - started);
    return progress;
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
    const request = toRequest(user, options);
    const { history, historyValues, exclude, allow } = request;
    if (request.user !== undefined && !history && !historyValues && !exclude && !allow) {
      // The common call, about 3x cheaper without a request object to read and result objects
      // to build on the C++ side.
      this.assertLive();
      return recommendKnownUser(this.#address, request.user, request.k, request.excludeSeen);
    }
    const recs = check(this.handle.recommend(request));
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
   * score() at `items` (your ids) only, in their order: a rating prediction per item for models
   * that predict ratings, as Surprise's predict() gives. Costs only what those items need
   * (item_knn walks just their similarity lists). An item the model does not know throws
   * UNKNOWN_ITEM.
   */
  scoreItems(
    user: number | null,
    items: ArrayLike<number>,
    options: Pick<RecommendOptions, 'history' | 'historyValues'> = {},
  ): Float64Array {
    const request = toRequest(user, options);
    return check(this.handle.scoreItems(request, toFloat64(items, 'items')));
  }

  /**
   * Items nearest to `item`, best first (models with an item space; others throw UNSUPPORTED;
   * an item the model does not know throws UNKNOWN_ITEM).
   */
  similarItems(item: number, k = 10): Recommendation {
    requireArgument(typeof item === 'number', 'similarItems(item, k) takes numbers');
    requireInteger(k, 'k', 1, 2 ** 31 - 1);
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
    requireOptions(options);
    const topN = options.topN ?? 3;
    requireInteger(topN, 'topN', 1, 2 ** 31 - 1);
    const result = check(this.handle.explain(toRequest(user, options), item, topN));
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
