// A page as an npm user would write it: trains every model in a RecwasmWorker, cancels a job,
// loads the snapshots on the page and compares them with models trained on the page itself.
// The result is written as JSON into #status for the test to read.
import { Model, RecwasmError, RecwasmWorker, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

const status = document.querySelector('#status');

function trainHere(kind) {
  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  const model = Model.create(kind);
  try {
    model.fit(split.train);
    return model.recommend(2, { k: 10 });
  } finally {
    model.dispose();
    split.dispose();
    data.dispose();
  }
}

async function main() {
  const report = {};
  if (new URLSearchParams(location.search).has('missing-wasm')) {
    // A worker told to fetch a .wasm that is not there: ready rejects with NOT_LOADED.
    const broken = new RecwasmWorker({ wasmUrl: new URL('/no-such-file.wasm', location.href) });
    report.loadError = await broken.ready.then(
      () => null,
      (error) => error.code,
    );
    broken.terminate();
    return report;
  }
  const worker = new RecwasmWorker();
  const [kinds] = await Promise.all([worker.kinds(), loadRecwasm()]);
  report.kinds = kinds;

  // A job cancelled as soon as the worker has built its data: train() rejects with CANCELLED,
  // no event of that job reaches the page afterwards, and the worker stays usable.
  const controller = new AbortController();
  let eventsAfterAbort = 0;
  const many = kinds.flatMap((kind) => Array.from({ length: 5 }, (_, i) => ({ kind, name: `${kind}#${i}` })));
  try {
    await worker.train(
      { data: { type: 'demo' }, models: many },
      {
        signal: controller.signal,
        onData: () => controller.abort(),
        onProgress: () => (eventsAfterAbort += controller.signal.aborted ? 1 : 0),
        onModel: () => (eventsAfterAbort += controller.signal.aborted ? 1 : 0),
      },
    );
    report.cancel = 'resolved';
  } catch (error) {
    report.cancel = error instanceof RecwasmError ? error.code : String(error);
  }
  report.eventsAfterAbort = eventsAfterAbort;

  const fractions = {};
  const result = await worker.train(
    { data: { type: 'demo' }, models: kinds, recommend: { users: [2], k: 10 } },
    { onProgress: (p) => (fractions[p.name] ??= []).push(p.fraction) },
  );
  report.train = result.train;
  report.models = result.models.map((m) => {
    const loaded = Model.load(m.snapshot);
    try {
      return {
        name: m.name,
        error: m.error ?? null,
        precision: m.evaluation?.precision,
        recall: m.evaluation?.recall,
        fractions: fractions[m.name] ?? [],
        fromWorker: m.recommendations?.get(2) ?? null,
        fromSnapshot: loaded.recommend(2, { k: 10 }),
        trainedHere: trainHere(m.kind),
      };
    } finally {
      loaded.dispose();
    }
  });
  worker.terminate();
  return report;
}

main().then(
  (report) => {
    status.textContent = JSON.stringify(report);
    status.dataset.state = 'done';
  },
  (error) => {
    status.textContent = `${error?.code ?? ''} ${error instanceof Error ? error.message : String(error)}`;
    status.dataset.state = 'error';
  },
);
