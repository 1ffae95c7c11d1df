import type { DemoData } from './data.js';
import { RecwasmError, requireArgument } from './errors.js';
import { WasmObject } from './handle.js';
import { check, checkHandle, raw, type RawDataset, type RawHeapRange, type RawModule } from './runtime.js';
import { toFloat64 } from './validate.js';

/** Columns of an interaction table in your own ids (any integers within ±(2^53 - 1)). */
export interface InteractionArrays {
  users: ArrayLike<number>;
  items: ArrayLike<number>;
  /** Ratings or weights; all 1 (implicit feedback) when omitted. */
  ratings?: ArrayLike<number>;
  /** Seconds (or any integer clock); needed for time-based splits and sessions. */
  timestamps?: ArrayLike<number>;
  /** Users and items to include in the catalogue even without rows (e.g. unrated movies). */
  catalogue?: { users?: ArrayLike<number>; items?: ArrayLike<number> };
}

/** What {@link Dataset.summary} reports. */
export interface DatasetSummary {
  /** Users and items of the catalogue (ids known to the dataset, with or without rows). */
  users: number;
  items: number;
  rows: number;
  hasTimestamps: boolean;
  hasItemText: boolean;
  hasSessions: boolean;
}

/** A file's content: text, or its UTF-8 bytes (e.g. what `fs.readFile` or `File.arrayBuffer` gives). */
export type TextSource = string | Uint8Array;

/** MovieLens files (ml-latest-small and similar, or the 100k `u.data`). */
export interface MovieLensFiles {
  /** `ratings.csv` (userId,movieId,rating[,timestamp] with a header) or `u.data` (tab-separated). */
  ratings: TextSource;
  /** `movies.csv` (movieId,title,genres): adds never-rated movies and the item text. */
  movies?: TextSource;
  /** `tags.csv` (userId,movieId,tag,timestamp): appended to the item text. */
  tags?: TextSource;
}

export interface MovieLensOptions {
  /** Consecutive ratings more than this many seconds apart start a new session (default 3600). */
  sessionGapSeconds?: number;
}

/**
 * An interaction table inside the wasm heap: users and items keep your ids, and are numbered
 * internally in ascending id order (so "ties go to the lower item id" means your lower id).
 * Dispose it when done (or rely on `using`).
 */
export class Dataset extends WasmObject {
  readonly #raw: RawDataset;

  /** @internal Use the static factories; the package frees `handle` in dispose(). */
  constructor(handle: RawDataset) {
    super(handle);
    this.#raw = handle;
  }

  /** @internal */
  protected get handle(): RawDataset {
    this.assertLive();
    return this.#raw;
  }

  /**
   * A dataset from columns in your own ids (row i is users[i], items[i], ratings[i]). Ids must be
   * integers within ±(2^53 - 1) and the columns of equal length (INVALID_ARGUMENT otherwise).
   * The arrays are copied into the wasm heap; yours are not kept.
   */
  static fromArrays(arrays: InteractionArrays): Dataset {
    requireArgument(arrays != null && typeof arrays === 'object', 'fromArrays needs {users, items, ratings?}');
    const users = toFloat64(arrays.users, 'users');
    const items = toFloat64(arrays.items, 'items');
    const values = arrays.ratings ? toFloat64(arrays.ratings, 'ratings') : new Float64Array(users.length).fill(1);
    const parts: Parameters<ReturnType<typeof raw>['WasmDataset']['fromArrays']>[0] = { users, items, values };
    if (arrays.timestamps) {
      parts.timestamps = toFloat64(arrays.timestamps, 'timestamps');
      // The core reads an empty column as "no timestamps"; a short one is a mistake.
      requireArgument(parts.timestamps.length === users.length, 'timestamps must have one entry per row');
    }
    if (arrays.catalogue?.users) parts.extraUsers = toFloat64(arrays.catalogue.users, 'catalogue.users');
    if (arrays.catalogue?.items) parts.extraItems = toFloat64(arrays.catalogue.items, 'catalogue.items');
    return new Dataset(checkHandle(raw().WasmDataset.fromArrays(parts)));
  }

  /**
   * Loads MovieLens files with the rules of DESIGN.md "The same rules on real data": users are
   * the userIds of the ratings, items every movieId of the ratings and of movies.csv (ascending
   * ids); rows are the ratings in file order; item text is the title, the genres (`|` read as a
   * space) and the movie's tags in file order; sessions (for co-visitation) are each user's
   * ratings in time order, cut where consecutive ratings are more than `sessionGapSeconds` apart.
   * A split rebuilds the sessions from the training rows only.
   *
   * Proper CSV: quoted fields, commas and doubled quotes inside quotes, CRLF, a UTF-8 BOM. A bad
   * line throws PARSE_ERROR naming the file, the line and the problem, and nothing is loaded.
   */
  static fromMovieLens(files: MovieLensFiles, options: MovieLensOptions = {}): Dataset {
    requireArgument(files !== null && typeof files === 'object', 'fromMovieLens needs {ratings, movies?, tags?}');
    requireArgument(options !== null && typeof options === 'object', 'options must be an object');
    const gap = options.sessionGapSeconds ?? 3600;
    requireArgument(
      typeof gap === 'number' && Number.isSafeInteger(gap) && gap >= 0,
      'sessionGapSeconds must be a non-negative integer',
    );
    const module = raw();
    const allocated: number[] = [];
    try {
      const ranges: { ratings: RawHeapRange; movies?: RawHeapRange; tags?: RawHeapRange } = {
        ratings: copyToHeap(module, files.ratings, 'ratings', allocated),
      };
      if (files.movies !== undefined) ranges.movies = copyToHeap(module, files.movies, 'movies', allocated);
      if (files.tags !== undefined) ranges.tags = copyToHeap(module, files.tags, 'tags', allocated);
      return new Dataset(checkHandle(module.WasmDataset.fromMovieLens(ranges, gap)));
    } finally {
      for (const ptr of allocated) module._free(ptr);
    }
  }

  /** The dataset of {@link generateDemoData}'s output (what {@link demoDataset} returns). */
  static fromDemoData(data: DemoData): Dataset {
    requireArgument(
      data !== null &&
        typeof data === 'object' &&
        Array.isArray(data.ratings) &&
        Array.isArray(data.items) &&
        Array.isArray(data.sessions) &&
        Array.isArray(data.userPreferredCategories),
      'fromDemoData needs the object generateDemoData returns',
    );
    data.items.forEach((item, i) => requireArgument(item.id === i, 'demo items must have ids 0..items-1 in order'));
    const dataset = Dataset.fromArrays({
      users: data.ratings.map((r) => r.user),
      items: data.ratings.map((r) => r.item),
      ratings: data.ratings.map((r) => r.rating),
      catalogue: {
        users: data.userPreferredCategories.map((_, u) => u),
        items: data.items.map((item) => item.id),
      },
    });
    try {
      dataset.setItemText(data.items.map((item) => item.description));
      dataset.setSessions(data.sessions);
    } catch (error) {
      dataset.dispose();
      throw error;
    }
    return dataset;
  }

  /** Item descriptions, one per catalogue item in ascending item id order (see itemIds()). */
  setItemText(texts: readonly string[]): this {
    requireArgument(Array.isArray(texts), 'item text must be an array of strings');
    check(this.handle.setItemText(texts));
    return this;
  }

  /** Sessions (view sequences) of item ids, for co-visitation. */
  setSessions(sessions: readonly ArrayLike<number>[]): this {
    requireArgument(Array.isArray(sessions), 'sessions must be an array of arrays of item ids');
    check(this.handle.setSessions(sessions.map((s, i) => toFloat64(s, `sessions[${i}]`))));
    return this;
  }

  /** Counts and what the dataset carries (timestamps, item text, sessions). */
  summary(): DatasetSummary {
    return check(this.handle.summary());
  }

  /** Users in the catalogue (including users without rows). */
  get userCount(): number {
    return this.summary().users;
  }

  /** Items in the catalogue (including items without rows). */
  get itemCount(): number {
    return this.summary().items;
  }

  /** Interaction rows. */
  get rowCount(): number {
    return this.summary().rows;
  }

  /** Your user ids in internal (ascending) order. */
  userIds(): Float64Array {
    return check(this.handle.userIds());
  }

  /** Your item ids in internal (ascending) order: the order of score() and setItemText(). */
  itemIds(): Float64Array {
    return check(this.handle.itemIds());
  }

  /** The rows, in table order, in your ids. */
  toArrays(): { users: Float64Array; items: Float64Array; ratings: Float64Array; timestamps?: Float64Array } {
    const rows = check(this.handle.rows());
    const out: { users: Float64Array; items: Float64Array; ratings: Float64Array; timestamps?: Float64Array } = {
      users: rows.users,
      items: rows.items,
      ratings: rows.values,
    };
    if (rows.timestamps) out.timestamps = rows.timestamps;
    return out;
  }

  /** One text per catalogue item in itemIds() order, or null when the dataset has none. */
  itemText(): string[] | null {
    return check(this.handle.itemText());
  }

  /** The sessions as lists of item ids, or null when the dataset has none. */
  sessions(): Float64Array[] | null {
    return check(this.handle.sessions());
  }

  /** @internal */
  get rawHandle(): RawDataset {
    return this.handle;
  }
}

const encoder = new TextEncoder();

// Copies a file into the wasm heap in one step (no per-element conversion); the caller frees.
function copyToHeap(module: RawModule, content: TextSource, name: string, allocated: number[]): RawHeapRange {
  const isText = typeof content === 'string';
  requireArgument(isText || content instanceof Uint8Array, `${name} must be a string or a Uint8Array`);
  // UTF-16 code units take at most 3 UTF-8 bytes each.
  const capacity = isText ? content.length * 3 : content.length;
  const ptr = module._malloc(Math.max(1, capacity));
  if (ptr === 0) throw new RecwasmError('OUT_OF_MEMORY', `no room in the wasm heap for ${name}`);
  allocated.push(ptr);
  // Read HEAPU8 only now: the allocation may have grown (and replaced) the heap.
  if (!isText) {
    module.HEAPU8.set(content, ptr);
    return { ptr, length: content.length };
  }
  const { written } = encoder.encodeInto(content, module.HEAPU8.subarray(ptr, ptr + capacity));
  return { ptr, length: written };
}
