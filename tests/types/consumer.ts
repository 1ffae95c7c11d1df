// Uses the public API as a strict TypeScript user would. It must compile with no error, every
// result type must be free of `any`, and each @ts-expect-error line proves a misuse is rejected
// (tsc fails if the line after it compiles).
import {
  Dataset,
  Model,
  RecwasmError,
  RecwasmWorker,
  demoDataset,
  evaluate,
  leaveOneOut,
  loadRecwasm,
  type DatasetSource,
  type Evaluation,
  type FitProgress,
  type ModelInfo,
  type ModelKind,
  type ModelSpec,
  type Recommendation,
  type RecwasmErrorCode,
  type Split,
  type TrainedModel,
  type TrainProgress,
  type TrainRequest,
  type TrainResult,
} from 'recwasm';

// ---- `any` detectors ---------------------------------------------------------------------------
type IsAny<T> = 0 extends 1 & T ? true : false;
type NoAny<T> = IsAny<T> extends true ? false : true;
/** True when neither T nor (for objects) any of its properties is `any`. */
type Clean<T> =
  IsAny<T> extends true
    ? false
    : T extends readonly (infer E)[]
      ? NoAny<E>
      : T extends object
        ? { [K in keyof T]-?: NoAny<T[K]> }[keyof T]
        : true;
/** Compiles only when `value`'s type is clean. */
function noAny<T>(_value: T, ..._proof: [Clean<T>] extends [true] ? [] : [never]): void {}

export async function consumer(bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  await loadRecwasm();
  await loadRecwasm({ wasmUrl: new URL('https://example.com/recwasm.wasm') });

  const data: Dataset = Dataset.fromArrays({ users: [1, 2], items: new Float64Array([3, 4]), ratings: [5, 4] });
  noAny(data);
  noAny(data.summary());
  noAny(data.userIds());
  noAny(data.toArrays());
  const demo = demoDataset({ seed: 42, users: 30 });
  const split: Split = leaveOneOut(demo, { seed: 42 });
  noAny(split);

  const model = Model.create('popularity');
  const kind: 'popularity' = model.kind;
  noAny(kind);
  const progress: FitProgress = model.fit(split.train, { onProgress: (p) => p.fraction < 1 });
  noAny(progress);
  noAny(await model.fitAsync(split.train, { signal, sliceMilliseconds: 5 }));
  const recs: Recommendation = model.recommend(2, { k: 10, exclude: [1], allow: new Float64Array([2, 3]) });
  noAny(recs);
  noAny(model.recommend(null, { history: [1, 2], historyValues: [5, 4] }));
  const scores: Float64Array = model.score(2);
  noAny(scores);
  noAny(model.similarItems(3, 5));
  noAny(model.explain(2, 3, { topN: 2 }));
  const info: ModelInfo = model.info();
  noAny(info);
  const saved: Uint8Array = model.save();
  const loaded: Model = Model.load(saved);
  const anyKind: ModelKind = loaded.kind;
  noAny(anyKind);
  noAny(Model.kinds());
  const metrics: Evaluation = evaluate(model, split.test, { k: 10, keepRecommendations: true });
  noAny(metrics);
  noAny(metrics.recommendations?.get(2));

  try {
    Model.load(bytes);
  } catch (error) {
    if (error instanceof RecwasmError) {
      const code: RecwasmErrorCode = error.code;
      noAny(code);
      switch (code) {
        case 'CORRUPT_SNAPSHOT':
        case 'UNSUPPORTED_VERSION':
          break;
        // @ts-expect-error: not an error code
        case 'CORRUPTED':
          break;
      }
    }
  }

  {
    using scoped = Model.create('popularity');
    scoped.dispose();
  }
  const disposed: boolean = model.disposed;
  noAny(disposed);

  // ---- the worker ----------------------------------------------------------------------------
  const worker = new RecwasmWorker();
  const specs: ModelSpec[] = ['popularity', { kind: 'popularity', name: 'again', options: {} }];
  const source: DatasetSource = { type: 'arrays', users: new Float64Array([1]), items: [2], itemText: ['x'] };
  const request: TrainRequest = { data: { type: 'demo' }, models: specs, split: { method: 'leave-one-out', seed: 1 } };
  const everything: TrainRequest = {
    data: { type: 'movielens', files: { ratings: new Uint8Array(1) } },
    models: ['popularity'],
    split: 'none',
  };
  noAny(everything);
  const result: TrainResult = await worker.train(request, {
    signal,
    onProgress: (p: TrainProgress) => noAny(p),
    onModel: (m: TrainedModel) => noAny(m),
    onData: (d) => noAny(d),
  });
  noAny(result);
  noAny(result.models[0]?.snapshot);
  noAny(result.models[0]?.error?.code);
  noAny(await worker.kinds());
  noAny(source);
  worker.terminate();
  // A worker started by hand, for bundlers that do not understand new URL(..., import.meta.url).
  new RecwasmWorker({ worker: new Worker(new URL('recwasm/worker', import.meta.url), { type: 'module' }) }).terminate();

  // ---- misuse the types reject ---------------------------------------------------------------
  // @ts-expect-error: no public constructor (use the factories)
  new Dataset();
  // @ts-expect-error: no public constructor (use Model.create / Model.load)
  new Model();
  // @ts-expect-error: not a model kind
  Model.create('popularty');
  // @ts-expect-error: popularity takes no options
  Model.create('popularity', { factors: 32 });
  // @ts-expect-error: options are numbers, booleans or strings
  Model.create('mf', { factors: [32] });
  // @ts-expect-error: k is a number
  model.recommend(2, { k: '10' });
  // @ts-expect-error: a user id is a number (or null with a history)
  model.recommend('2');
  // @ts-expect-error: fit takes a Dataset, not arrays
  model.fit({ users: [1], items: [2] });
  // @ts-expect-error: synchronous fit takes no signal
  model.fit(split.train, { signal });
  // @ts-expect-error: snapshots are bytes
  Model.load('snapshot');
  // @ts-expect-error: the raw Embind handle is internal
  model.rawHandle;
  // @ts-expect-error: the raw Embind handle is internal
  data.handle;
  // @ts-expect-error: not a dataset source
  worker.train({ data: { type: 'csv' }, models: ['popularity'] });
  // @ts-expect-error: not a model kind
  worker.train({ data: { type: 'demo' }, models: ['popularty'] });
  // @ts-expect-error: a spec's options follow its kind
  worker.train({ data: { type: 'demo' }, models: [{ kind: 'popularity', options: { factors: 1 } }] });
  // @ts-expect-error: not a split method
  worker.train({ data: { type: 'demo' }, models: ['popularity'], split: { method: 'random' } });
  // @ts-expect-error: results are read-only data, not functions
  result.models[0]?.snapshot();
}
