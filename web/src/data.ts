import { Dataset } from './dataset.js';
import { requireArgument } from './errors.js';
import { checkHandle, raw } from './runtime.js';
import { requireOptions } from './validate.js';

const DEMO_KEYS = ['users', 'items', 'categories', 'ratingsPerUser', 'sessionLength', 'seed'];

/** The notebook's `make_demo_data` parameters; defaults are the notebook's. */
export interface DemoDataOptions {
  users?: number;
  items?: number;
  categories?: number;
  ratingsPerUser?: number;
  sessionLength?: number;
  seed?: number;
}

/**
 * The notebook's generated movie dataset (ratings, item descriptions, sessions), identical to
 * numpy's draws for the same parameters.
 */
export function demoDataset(options: DemoDataOptions = {}): Dataset {
  requireArgument(options !== null && typeof options === 'object', 'demo options must be an object');
  const params: Record<string, number> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    requireArgument(DEMO_KEYS.includes(key), `unknown demo option '${key}' (valid: ${DEMO_KEYS.join(', ')})`);
    requireArgument(typeof value === 'number', `demo option ${key} must be a number`);
    params[key] = value;
  }
  return new Dataset(checkHandle(raw().WasmDataset.fromDemo(params)));
}

/** A train/test pair over the same catalogue. Disposing the split disposes both. */
export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
  dispose(): void;
  [Symbol.dispose](): void;
}

function makeSplit(train: Dataset, test: Dataset): Split {
  const dispose = () => {
    train.dispose();
    test.dispose();
  };
  return { train, test, dispose, [Symbol.dispose]: dispose };
}

/**
 * The notebook's leave-one-out split: for each user (ascending), their rows shuffled by a
 * fresh numpy `RandomState(seed)`; the last row is the test row, the others train. A user
 * with a single row has it in test and nothing in train.
 */
export function leaveOneOut(data: Dataset, options: { seed?: number } = {}): Split {
  requireArgument(data instanceof Dataset, 'leaveOneOut needs a Dataset');
  requireOptions(options);
  const seed = options.seed ?? 42;
  requireArgument(typeof seed === 'number', 'seed must be a number');
  const split = checkHandle(raw().WasmSplit.leaveOneOut(data.rawHandle, seed));
  try {
    return makeSplit(new Dataset(split.train()), new Dataset(split.test()));
  } finally {
    split.delete();
  }
}
