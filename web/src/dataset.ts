import { requireArgument } from './errors.js';
import { WasmObject } from './handle.js';
import { check, checkHandle, raw, type RawDataset } from './runtime.js';
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

export interface DatasetSummary {
  users: number;
  items: number;
  rows: number;
  hasTimestamps: boolean;
  hasItemText: boolean;
  hasSessions: boolean;
}

/**
 * An interaction table inside the wasm heap: users and items keep your ids, and are numbered
 * internally in ascending id order (so "ties go to the lower item id" means your lower id).
 * Dispose it when done (or rely on `using`).
 */
export class Dataset extends WasmObject<RawDataset> {
  /** @internal */
  constructor(handle: RawDataset) {
    super(handle);
  }

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

  summary(): DatasetSummary {
    return check(this.handle.summary());
  }

  get userCount(): number {
    return this.summary().users;
  }

  get itemCount(): number {
    return this.summary().items;
  }

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

  itemText(): string[] | null {
    return check(this.handle.itemText());
  }

  sessions(): Float64Array[] | null {
    return check(this.handle.sessions());
  }

  /** @internal */
  get rawHandle(): RawDataset {
    return this.handle;
  }
}
