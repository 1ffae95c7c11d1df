// The page's current dataset: where it came from (generator parameters or MovieLens files, both
// small enough to store and rebuild after a reload), the notebook's split, and what the tables show.
import { Dataset, generateDemoData, leaveOneOut, type DemoDataOptions, type Split } from 'recwasm';
import { parseMovieInfo, type MovieLensTexts } from './movielens.js';

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

export type DataSource = { type: 'generator'; params: GeneratorParams } | { type: 'movielens'; files: MovieLensTexts };

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

/** The dataset and the items table (title, genre, description) of a source. */
function build(source: DataSource): { dataset: Dataset; items: ItemInfo[] } {
  if (source.type === 'generator') {
    const generated = generateDemoData(source.params);
    return {
      dataset: Dataset.fromDemoData(generated),
      items: generated.items.map((item) => ({
        id: item.id,
        title: item.title,
        genre: item.categoryName,
        description: item.description,
      })),
    };
  }
  const { ratings, movies, tags } = source.files;
  const files: Parameters<typeof Dataset.fromMovieLens>[0] = { ratings };
  if (movies !== undefined) files.movies = movies;
  if (tags !== undefined) files.tags = tags;
  // The package validates the files first, with messages naming the file and line.
  const dataset = Dataset.fromMovieLens(files);
  try {
    const info = parseMovieInfo(source.files);
    const items = Array.from(dataset.itemIds(), (id) => {
      const movie = info.get(id);
      return {
        id,
        title: movie?.title ?? `Movie ${id}`,
        genre: movie?.genres.join(', ') ?? '',
        description: movie?.tags.join(', ') ?? '',
      };
    });
    return { dataset, items };
  } catch (error) {
    dataset.dispose();
    throw error;
  }
}

/** Builds the dataset and the notebook's split; throws (RecwasmError or Error) on bad input. */
export function loadData(source: DataSource): LoadedData {
  const { dataset, items } = build(source);
  let split: Split | undefined;
  try {
    split = leaveOneOut(dataset, { seed: SPLIT_SEED });
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
