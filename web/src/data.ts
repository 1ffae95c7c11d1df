import { Dataset } from './dataset.js';
import { requireArgument } from './errors.js';
import { check, checkHandle, raw } from './runtime.js';
import { requireOptions } from './validate.js';

/** The notebook's `make_demo_data` parameters; defaults are the notebook's. */
export interface DemoDataOptions {
  /** Default 30; 0 gives no ratings and no sessions. */
  users?: number;
  /** Default 60; at least 1. */
  items?: number;
  /** Default 6; 1 to 6 (the notebook has six word lists). */
  categories?: number;
  /** Default 12; int(0.7 × n) come from the user's preferred category. */
  ratingsPerUser?: number;
  /** Default 8. */
  sessionLength?: number;
  /** Default 42; any integer in [0, 2^32). */
  seed?: number;
}

/** One generated rating, in the notebook's `ratings_df` order. */
export interface DemoRating {
  user: number;
  item: number;
  rating: number;
}

/** One generated item, as in the notebook's `items_df`. */
export interface DemoItem {
  id: number;
  /** "Item_07_Category_02" */
  title: string;
  category: number;
  /** "Sci-Fi" */
  categoryName: string;
  /** Five distinct words of the category. */
  description: string;
}

/** The notebook's generated data as plain objects (see {@link generateDemoData}). */
export interface DemoData {
  /** The parameters used, defaults filled in. */
  options: Required<DemoDataOptions>;
  /** Users ascending, each user's ratings in drawn order. */
  ratings: DemoRating[];
  /**
   * One session (item ids, repeats allowed) per user. A user whose preferred category has no
   * items gets an empty session (the notebook would raise an error there).
   */
  sessions: number[][];
  /** Ids 0..items-1. */
  items: DemoItem[];
  /** One per user. */
  userPreferredCategories: number[];
}

const DEMO_DEFAULTS: Required<DemoDataOptions> = {
  users: 30,
  items: 60,
  categories: 6,
  ratingsPerUser: 12,
  sessionLength: 8,
  seed: 42,
};

/**
 * The notebook's generated movie data (ratings, sessions, items), identical to numpy's draws for
 * the same parameters and any seed. Throws INVALID_ARGUMENT for parameters the generator cannot
 * serve (categories outside 1..6, items < 1, negative counts).
 */
export function generateDemoData(options: DemoDataOptions = {}): DemoData {
  requireArgument(options !== null && typeof options === 'object', 'demo options must be an object');
  const resolved = { ...DEMO_DEFAULTS };
  for (const key of Object.keys(DEMO_DEFAULTS) as (keyof DemoDataOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    requireArgument(typeof value === 'number' && Number.isInteger(value), `demo option ${key} must be an integer`);
    resolved[key] = value;
  }
  for (const key of Object.keys(options)) {
    requireArgument(key in DEMO_DEFAULTS, `unknown demo option '${key}'`);
  }
  const generated = check(raw().generateDemoData(resolved));
  const ratings: DemoRating[] = [];
  for (let r = 0; r < generated.ratings.length; r++) {
    ratings.push({
      user: generated.ratingUsers[r] ?? 0,
      item: generated.ratingItems[r] ?? 0,
      rating: generated.ratings[r] ?? 0,
    });
  }
  const items: DemoItem[] = Array.from(generated.itemCategories, (category, id) => ({
    id,
    title: generated.titles[id] ?? '',
    category,
    categoryName: generated.categoryNames[id] ?? '',
    description: generated.descriptions[id] ?? '',
  }));
  return {
    options: resolved,
    ratings,
    sessions: generated.sessions.map((s) => Array.from(s)),
    items,
    userPreferredCategories: Array.from(generated.userPreferredCategories),
  };
}

/**
 * The dataset the notebook trains on: {@link generateDemoData} turned into a {@link Dataset}
 * (users 0..users-1, items 0..items-1, item text = descriptions, the sessions).
 */
export function demoDataset(options: DemoDataOptions = {}): Dataset {
  return Dataset.fromDemoData(generateDemoData(options));
}

/** A train/test pair over the same catalogue. Disposing the split disposes both. */
export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * - `leave-one-out` (default): the notebook's split, see {@link leaveOneOut}.
 * - `last-by-time`: see {@link lastByTime}.
 * - `ratio`: see {@link ratioSplit}.
 */
export type SplitMethod = 'leave-one-out' | 'last-by-time' | 'ratio';

export interface SplitOptions {
  method?: SplitMethod;
  /** leave-one-out and ratio; default 42. */
  seed?: number;
  /** ratio only; strictly between 0 and 1, default 0.2. */
  testFraction?: number;
}

/**
 * Splits `data` into train and test rows over the same catalogue. Item text is shared. Sessions
 * that {@link Dataset.fromMovieLens} cut from timestamps are rebuilt from each part's own rows
 * (so co-visitation never trains on test events); the demo data's sessions are shared by both
 * parts, as in the notebook.
 */
export function splitDataset(data: Dataset, options: SplitOptions = {}): Split {
  requireArgument(data instanceof Dataset, 'a split needs a Dataset');
  requireArgument(options !== null && typeof options === 'object', 'split options must be an object');
  for (const key of ['seed', 'testFraction'] as const) {
    requireArgument(options[key] === undefined || typeof options[key] === 'number', `${key} must be a number`);
  }
  const request: { method?: string; seed?: number; testFraction?: number } = {};
  if (options.method !== undefined) request.method = options.method;
  if (options.seed !== undefined) request.seed = options.seed;
  if (options.testFraction !== undefined) request.testFraction = options.testFraction;
  const split = checkHandle(raw().WasmSplit.create(data.rawHandle, request));
  try {
    const train = new Dataset(split.train());
    const test = new Dataset(split.test());
    const dispose = () => {
      train.dispose();
      test.dispose();
    };
    return { train, test, dispose, [Symbol.dispose]: dispose };
  } finally {
    split.delete();
  }
}

/**
 * The notebook's leave-one-out split: for each user (ascending), their rows shuffled by a
 * fresh numpy `RandomState(seed)` (pandas `sample(frac=1, random_state=seed)`); the last row is
 * the test row, the others train, in shuffled order. A user with a single row has it in test
 * and nothing in train (as pandas gives it); models answer such users with their fallback.
 */
export function leaveOneOut(data: Dataset, options: { seed?: number } = {}): Split {
  requireOptions(options);
  return splitDataset(data, { method: 'leave-one-out', seed: options.seed ?? 42 });
}

/**
 * Leave-last-out by time: each user's latest row (by timestamp; among equal timestamps the one
 * later in the table) is the test row; the others train, in time order. A user with a single
 * row has it in test, as in {@link leaveOneOut}. Needs timestamps (INVALID_ARGUMENT otherwise).
 */
export function lastByTime(data: Dataset): Split {
  return splitDataset(data, { method: 'last-by-time' });
}

/**
 * A seeded ratio split per user: one numpy `RandomState(seed)` for the whole split; for each user
 * (ascending) with n ≥ 2 rows, `permutation(n)`, and its last
 * clamp(floor(n × testFraction + 0.5), 1, n − 1) positions go to test. A user with a single row
 * keeps it in train. Both parts keep table order.
 */
export function ratioSplit(data: Dataset, options: { testFraction?: number; seed?: number } = {}): Split {
  return splitDataset(data, { method: 'ratio', testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 42 });
}
