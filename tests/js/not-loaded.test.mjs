// NOT_LOADED: everything before loadRecwasm() has finished, and a failed load, in a fresh
// module (node --test runs each file in its own process).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dataset, Model, RecwasmError, RecwasmWorker, demoDataset, loadRecwasm } from 'recwasm';

const notLoaded = (e) => e instanceof RecwasmError && e.code === 'NOT_LOADED' && /loadRecwasm/.test(e.message);

test('calls before loadRecwasm throw NOT_LOADED; a failed load can be retried', async () => {
  assert.throws(() => Model.create('popularity'), notLoaded);
  assert.throws(() => Model.kinds(), notLoaded);
  assert.throws(() => Model.load(new Uint8Array(8)), notLoaded);
  assert.throws(() => Dataset.fromArrays({ users: [1], items: [1] }), notLoaded);
  assert.throws(() => demoDataset(), notLoaded);

  // Bytes that are not a WebAssembly module: the load fails with NOT_LOADED and nothing is
  // left half-loaded.
  await assert.rejects(loadRecwasm({ wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }), (e) => {
    assert.ok(e instanceof RecwasmError);
    assert.equal(e.code, 'NOT_LOADED');
    return true;
  });
  assert.throws(() => Model.create('popularity'), notLoaded);

  await loadRecwasm();
  await loadRecwasm(); // once is enough; later calls share the first load
  const model = Model.create('popularity');
  assert.equal(model.fitted, false);
  model.dispose();
});

test('a worker whose wasm cannot be fetched rejects ready and train with NOT_LOADED', async () => {
  const worker = new RecwasmWorker({ wasmUrl: 'file:///nonexistent/recwasm.wasm' });
  const isNotLoaded = (e) => e instanceof RecwasmError && e.code === 'NOT_LOADED' && /could not load/.test(e.message);
  await assert.rejects(worker.ready, isNotLoaded);
  await assert.rejects(worker.kinds(), isNotLoaded);
  await assert.rejects(worker.train({ data: { type: 'demo' }, models: ['popularity'] }), isNotLoaded);
  worker.terminate();
});
