import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

before(async () => {
  await loadRecwasm();
});

test('evaluate takes several models and a split, one result per model in order', () => {
  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  const models = ['popularity', 'content_tfidf', 'covisitation'].map((kind) => {
    const model = Model.create(kind);
    model.fit(split.train);
    return model;
  });
  try {
    const results = evaluate(models, split, { k: 10 });
    assert.equal(results.length, 3);
    // The notebook's numbers for these deterministic models (11, 24 and 13 hits over 30 users).
    assert.deepEqual(
      results.map((e) => Math.round(e.recall * 30)),
      [11, 24, 13],
    );
    const single = evaluate(models[1], split.test, { k: 10 });
    assert.equal(single.precision, results[1].precision);
    assert.throws(
      () => evaluate(models, {}),
      (e) => e instanceof RecwasmError && e.code === 'INVALID_ARGUMENT',
    );
    assert.throws(
      () => evaluate([models[0], 'popularity'], split),
      (e) => e instanceof RecwasmError && e.code === 'INVALID_ARGUMENT',
    );
  } finally {
    for (const model of models) model.dispose();
    split.dispose();
    data.dispose();
  }
});
