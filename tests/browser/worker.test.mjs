// RecwasmWorker in headless Chromium: a page built by Vite with no configuration trains every
// model in a module worker, cancels a job, and loads the snapshots on the page, where they give
// the same recommendations as models trained on the page itself and the same metrics as Node.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Model, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';
import { buildApp, copyApp, runApp } from './app.mjs';

let app;
let files;
before(async () => {
  app = copyApp();
  files = await buildApp(app.dir, { alias: true });
});
after(() => app?.cleanup());

test('the Vite build has the wasm and a worker chunk', () => {
  assert.ok(
    files.some((f) => /\.wasm$/.test(f)),
    files.join(', '),
  );
  assert.ok(
    files.some((f) => /worker.*\.js$/.test(f)),
    files.join(', '),
  );
});

test('models trained in the worker match models trained on the page and in Node', async () => {
  const { report, consoleErrors } = await runApp(app.dir, { screenshot: 'worker-page' });
  assert.deepEqual(consoleErrors, []);

  await loadRecwasm();
  const kinds = Model.kinds();
  assert.deepEqual(report.kinds, kinds);
  assert.equal(report.cancel, 'CANCELLED');
  assert.equal(report.eventsAfterAbort, 0);
  assert.equal(report.train.rows, 328);

  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  try {
    assert.deepEqual(
      report.models.map((m) => m.name),
      kinds,
    );
    for (const m of report.models) {
      assert.equal(m.error, null, `${m.name}: ${m.error?.message}`);
      assert.equal(m.fractions.at(-1), 1, m.name);
      assert.deepEqual(m.fromSnapshot, m.fromWorker, m.name);
      assert.deepEqual(m.trainedHere, m.fromWorker, m.name);
      const model = Model.create(m.name);
      try {
        model.fit(split.train);
        const e = evaluate(model, split.test, { k: 10 });
        assert.equal(m.precision, e.precision, m.name);
        assert.equal(m.recall, e.recall, m.name);
        assert.deepEqual(m.fromWorker, model.recommend(2, { k: 10 }), m.name);
      } finally {
        model.dispose();
      }
    }
  } finally {
    split.dispose();
    data.dispose();
  }
});

test('a worker that cannot fetch its wasm rejects ready with NOT_LOADED', async () => {
  const { report } = await runApp(app.dir, { query: '?missing-wasm' });
  assert.equal(report.loadError, 'NOT_LOADED');
});

test('a strict Content-Security-Policy needs only wasm-unsafe-eval (no eval in the glue)', async () => {
  const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; img-src data:";
  const { report, consoleErrors } = await runApp(app.dir, { headers: { 'Content-Security-Policy': csp } });
  assert.deepEqual(consoleErrors, []);
  assert.equal(report.cancel, 'CANCELLED');
  for (const m of report.models) {
    assert.equal(m.error, null, m.name);
    assert.deepEqual(m.fromSnapshot, m.fromWorker, m.name);
  }
});
