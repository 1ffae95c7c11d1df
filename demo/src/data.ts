// The page's current dataset: where it came from (generator parameters or MovieLens files, both
// small enough to store and rebuild after a reload), the notebook's split, and what the tables show.
import { demoDataset, leaveOneOut, type Dataset, type DemoDataOptions, type Split } from 'recwasm';
import { movieLensDataset, parseMovieInfo, type MovieInfo, type MovieLensFiles } from './movielens.js';

export type GeneratorParams = Required<DemoDataOptions>;

/** The notebook's make_demo_data defaults. */
export const GENERATOR_DEFAULTS: Readonly<GeneratorParams> = Object.freeze({
  users: 30,
  items: 60,
  categories: 6,
  ratingsPerUser: 12,
  sessionLength: 8,
  seed: 42,
});

/** The notebook's leave_last_one_out_split(seed=42). */
export const SPLIT_SEED = 42;

export type DataSource = { type: 'generator'; params: GeneratorParams } | { type: 'movielens'; files: MovieLensFiles };

export interface ItemInfo {
  id: number;
  title: string;
  genre: string;
  description: string;
}

export interface Rated {
  item: number;
  rating: number;
}

export interface LoadedData {
  source: DataSource;
  /** One line for the page ("30 users · 60 items · 358 ratings"). */
  summary: string;
  counts: { users: number; items: number; rows: number };
  dataset: Dataset;
  split: Split;
  /** Every catalogue item, ascending id. */
  items: ItemInfo[];
  item(id: number): ItemInfo;
  /** Users with a test row, ascending. */
  users: number[];
  /** The user's train rows in train order (the models' history). */
  history(user: number): Rated[];
  /** The user's held-out rows. */
  heldOut(user: number): Rated[];
  /** True for the notebook's own dataset: its printed figures apply. */
  isNotebookDefault: boolean;
  dispose(): void;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function groupByUser(data: Dataset): Map<number, Rated[]> {
  const rows = data.toArrays();
  const byUser = new Map<number, Rated[]>();
  rows.users.forEach((user, i) => {
    const row = { item: rows.items[i] ?? 0, rating: rows.ratings[i] ?? 0 };
    const list = byUser.get(user);
    if (list) list.push(row);
    else byUser.set(user, [row]);
  });
  return byUser;
}

function itemsOf(dataset: Dataset, movies: Map<number, MovieInfo> | null): ItemInfo[] {
  const ids = Array.from(dataset.itemIds());
  if (!movies) {
    const text = dataset.itemText() ?? [];
    return ids.map((id, i) => ({ id, title: `Item_${pad2(id)}`, genre: '', description: text[i] ?? '' }));
  }
  return ids.map((id) => {
    const info = movies.get(id);
    return {
      id,
      title: info?.title ?? `Movie ${id}`,
      genre: info?.genres.join(', ') ?? '',
      description: info?.tags.join(', ') ?? '',
    };
  });
}

/** Builds the dataset and the notebook's split; throws (RecwasmError or Error) on bad input. */
export function loadData(source: DataSource): LoadedData {
  const movies = source.type === 'movielens' ? parseMovieInfo(source.files) : null;
  const dataset =
    source.type === 'generator' ? demoDataset(source.params) : movieLensDataset(source.files, movies ?? new Map());
  let split: Split | undefined;
  try {
    split = leaveOneOut(dataset, { seed: SPLIT_SEED });
    const items = itemsOf(dataset, movies);
    const byId = new Map(items.map((item) => [item.id, item]));
    const train = groupByUser(split.train);
    const test = groupByUser(split.test);
    const summary = dataset.summary();
    const isNotebookDefault =
      source.type === 'generator' &&
      (Object.keys(GENERATOR_DEFAULTS) as (keyof GeneratorParams)[]).every(
        (key) => source.params[key] === GENERATOR_DEFAULTS[key],
      );
    const heldSplit = split;
    return {
      source,
      summary: `${summary.users.toLocaleString('en')} users · ${summary.items.toLocaleString('en')} items · ${summary.rows.toLocaleString('en')} ratings · train ${split.train.rowCount.toLocaleString('en')} / test ${split.test.rowCount.toLocaleString('en')}`,
      counts: { users: summary.users, items: summary.items, rows: summary.rows },
      dataset,
      split,
      items,
      item: (id) => byId.get(id) ?? { id, title: `Item ${id}`, genre: '', description: '' },
      users: [...test.keys()].sort((a, b) => a - b),
      history: (user) => train.get(user) ?? [],
      heldOut: (user) => test.get(user) ?? [],
      isNotebookDefault,
      dispose() {
        heldSplit.dispose();
        dataset.dispose();
      },
    };
  } catch (error) {
    split?.dispose();
    dataset.dispose();
    throw error;
  }
}
