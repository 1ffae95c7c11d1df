// Loading the wasm module and the raw Embind surface. Everything here is internal: public
// classes wrap these handles, copy results out, and free handles in dispose().
import { RecwasmError } from './errors.js';

/** @internal A handle Embind gives to JavaScript; must be deleted exactly once. */
export interface RawHandle {
  delete(): void;
  isDeleted(): boolean;
}

/** @internal */
export interface RawFitProgress {
  done: boolean;
  epoch: number;
  epochs: number;
  fraction: number;
  loss: number;
  validationLoss: number;
  examplesPerSecond: number;
  epochEnded: boolean;
}

/** @internal */
export interface RawRecommendations {
  items: Float64Array;
  scores: Float64Array;
}

/** @internal */
export interface RawRequest {
  user?: number;
  history?: Float64Array;
  historyValues?: Float64Array;
  k?: number;
  excludeSeen?: boolean;
  exclude?: Float64Array;
  allow?: Float64Array;
}

/** @internal */
export interface RawDataset extends RawHandle {
  setItemText(texts: readonly string[]): void;
  setSessions(sessions: readonly Float64Array[]): void;
  summary(): {
    users: number;
    items: number;
    rows: number;
    hasTimestamps: boolean;
    hasItemText: boolean;
    hasSessions: boolean;
  };
  userIds(): Float64Array;
  itemIds(): Float64Array;
  rows(): { users: Float64Array; items: Float64Array; values: Float64Array; timestamps?: Float64Array };
  itemText(): string[] | null;
  sessions(): Float64Array[] | null;
}

/** @internal */
export interface RawSplit extends RawHandle {
  train(): RawDataset;
  test(): RawDataset;
}

/** @internal */
export interface RawModel extends RawHandle {
  info(): {
    kind: string;
    options: Record<string, number | boolean | string>;
    fitted: boolean;
    fitInProgress: boolean;
    predictsRatings: boolean;
    users?: number;
    items?: number;
  };
  beginFit(data: RawDataset): boolean;
  continueFit(maxBatches: number): RawFitProgress;
  cancelFit(): void;
  recommend(request: RawRequest): RawRecommendations;
  /** The model's heap address, for the module's plain exports (`_recwasm_recommend_user`). */
  address(): number;
  score(request: RawRequest): Float64Array;
  scoreItems(request: RawRequest, items: Float64Array): Float64Array;
  similarItems(item: number, k: number): RawRecommendations;
  explain(request: RawRequest, item: number, topN: number): { items: Float64Array; weights: Float64Array };
  save(): Uint8Array;
  userIds(): Float64Array;
  itemIds(): Float64Array;
}

/** @internal */
export interface RawEvaluation {
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  hitRate: number;
  mrr: number;
  map: number;
  coverage: number;
  rmse: number;
  mae: number;
  milliseconds: number;
  recommendations?: { users: Float64Array; items: Float64Array[]; scores: Float64Array[] };
}

/** @internal */
export interface RawDemoData {
  ratingUsers: Int32Array;
  ratingItems: Int32Array;
  ratings: Float64Array;
  sessions: Int32Array[];
  itemCategories: Int32Array;
  titles: string[];
  categoryNames: string[];
  descriptions: string[];
  userPreferredCategories: Int32Array;
}

/** @internal A byte range inside the wasm heap. */
export interface RawHeapRange {
  ptr: number;
  length: number;
}

/** @internal The Embind module (see cpp/wasm/bindings.cpp). */
export interface RawModule {
  /** Replaced when the heap grows: read it after every allocation. */
  HEAPU8: Uint8Array;
  HEAPF64: Float64Array;
  /** 0 when the heap cannot grow (the module is built with ABORTING_MALLOC=0). */
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  lastErrorCode(): number;
  lastErrorMessage(): string;
  /**
   * recommend() for a known user with only k / excludeSeen (1 or 0), on the model at `model`
   * (RawModel.address()): the count of items, or -1 after an error (then call check()). A plain
   * export, not an Embind function: its call costs about 0.2 us less.
   */
  _recwasm_recommend_user(model: number, user: number, k: number, excludeSeen: number): number;
  /** Heap address of what the last _recwasm_recommend_user() wrote: its items, then their scores. */
  _recwasm_result_buffer(): number;
  modelKinds(): string[];
  heapStats(): { allocatedBytes: number };
  /** Embind's count of live JS handles to C++ values (leak tests). */
  count_emval_handles(): number;
  evaluateModel(
    model: RawModel,
    test: RawDataset,
    options: { k: number; keepRecommendations: boolean; candidates?: Float64Array },
  ): RawEvaluation;
  generateDemoData(params: Record<string, number>): RawDemoData;
  rankingMetrics(
    ranked: Float64Array,
    relevant: Float64Array,
    k: number,
  ): { precision: number; recall: number; ndcg: number; hitRate: number; mrr: number; map: number };
  WasmDataset: {
    fromArrays(parts: {
      users: Float64Array;
      items: Float64Array;
      values: Float64Array;
      timestamps?: Float64Array;
      extraUsers?: Float64Array;
      extraItems?: Float64Array;
    }): RawDataset | null;
    fromMovieLens(
      files: { ratings: RawHeapRange; movies?: RawHeapRange; tags?: RawHeapRange },
      sessionGapSeconds: number,
    ): RawDataset | null;
  };
  WasmSplit: {
    create(data: RawDataset, options: { method?: string; seed?: number; testFraction?: number }): RawSplit | null;
  };
  WasmModel: {
    create(kind: string, options: Record<string, unknown>): RawModel | null;
    load(bytes: Uint8Array): RawModel | null;
  };
}

export interface LoadOptions {
  /** The module's bytes, when the default way of finding them does not fit your bundler. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch `recwasm.wasm` from (browsers); defaults to next to the module. */
  wasmUrl?: string | URL;
}

let loaded: RawModule | undefined;
let loading: Promise<RawModule> | undefined;
let defaultWasmBinary: (() => Promise<Uint8Array>) | undefined;

/** @internal The Node entry point reads the .wasm from disk through this. */
export function setDefaultWasmBinaryLoader(loader: () => Promise<Uint8Array>): void {
  defaultWasmBinary = loader;
}

/**
 * Loads and instantiates the WebAssembly module once; later calls return the same promise
 * (and ignore their options). Every other function of recwasm needs this to have finished;
 * before, they throw NOT_LOADED. A failed load rejects with NOT_LOADED and may be retried.
 *
 * In Node the module is read from the package's files; in browsers it is fetched from next to
 * the JavaScript module (bundlers such as Vite copy it), unless `wasmUrl` or `wasmBinary` say
 * otherwise.
 */
export async function loadRecwasm(options: LoadOptions = {}): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const overrides: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (p: string) => string } = {};
      if (options.wasmBinary) overrides.wasmBinary = options.wasmBinary;
      else if (options.wasmUrl) {
        const url = String(options.wasmUrl);
        overrides.locateFile = () => url;
      } else if (defaultWasmBinary) overrides.wasmBinary = await defaultWasmBinary();
      try {
        // Imported on demand so that bundlers emit the Emscripten glue as a chunk of its own:
        // the page's and RecwasmWorker's builds then produce the same file, which a browser
        // downloads once for both (as it does the .wasm).
        const { default: createRecwasmModule } = await import('./wasm/recwasm.mjs');
        const module = (await createRecwasmModule(overrides)) as RawModule;
        loaded = module;
        return module;
      } catch (error) {
        // A missing or unfetchable .wasm, or bytes that are not this module.
        const why = error instanceof Error ? error.message : String(error);
        throw new RecwasmError('NOT_LOADED', `could not load the recwasm WebAssembly module: ${why}`);
      }
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  await loading;
}

/** @internal */
export function raw(): RawModule {
  if (!loaded) throw new RecwasmError('NOT_LOADED', 'recwasm is not loaded yet: await loadRecwasm() first');
  return loaded;
}

/** @internal Raises the error the last core call left in the status slot, if any. */
export function check<T>(value: T): T {
  const module = raw();
  const code = module.lastErrorCode();
  if (code !== 0) throw RecwasmError.fromCoreCode(code, module.lastErrorMessage());
  return value;
}

/**
 * @internal recommend() for a known user with only k and excludeSeen, through the module's
 * plain export, for the model at `model` (RawModel.address()): its items and scores as plain
 * arrays. (An element loop: subarray() and Array.from() cost 2 us a call.)
 */
export function recommendKnownUser(
  model: number,
  user: number,
  k: number,
  excludeSeen: boolean,
): { items: number[]; scores: number[] } {
  const module = raw();
  const count = module._recwasm_recommend_user(model, user, k, excludeSeen ? 1 : 0);
  if (count < 0) {
    check(count);
    throw new RecwasmError('INTERNAL', 'the core failed without an error');
  }
  const heap = module.HEAPF64;
  const start = module._recwasm_result_buffer() / Float64Array.BYTES_PER_ELEMENT;
  const items: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < count; i++) {
    items.push(heap[start + i] as number);
    scores.push(heap[start + count + i] as number);
  }
  return { items, scores };
}

/** @internal Like check(), for factories: a null handle always means failure. */
export function checkHandle<T>(value: T | null): T {
  const result = check(value);
  if (result === null) throw new RecwasmError('INTERNAL', 'the core returned no object and no error');
  return result;
}

/** @internal Current size of the wasm heap in bytes (for leak checks and benchmarks). */
export function heapBytes(): number {
  return raw().HEAPU8.length;
}

/**
 * @internal Memory accounting for leak tests: the heap's size, the bytes malloc has handed out
 * and not had back, and the JS handles Embind holds to C++ values.
 */
export function memoryStats(): { heapBytes: number; allocatedBytes: number; handles: number } {
  const module = raw();
  return {
    heapBytes: module.HEAPU8.length,
    allocatedBytes: module.heapStats().allocatedBytes,
    handles: module.count_emval_handles(),
  };
}
