import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm, rankingMetrics } from 'recwasm';

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

test('rankingMetrics scores one list with the formulas evaluate() averages', () => {
  // Relevant 9 sits at rank 3 of the first k = 3; 1 lies beyond k; 42 was never ranked.
  const m = rankingMetrics([5, 3, 9, 1], [9, 1, 42, 9], 3);
  const close = (a, b) => Math.abs(a - b) < 1e-15;
  assert.ok(close(m.precision, 1 / 3));
  assert.ok(close(m.recall, 1 / 3));
  assert.equal(m.hitRate, 1);
  assert.ok(close(m.mrr, 1 / 3));
  assert.ok(close(m.ndcg, 1 / Math.log2(4) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4))));
  assert.ok(close(m.map, 1 / 3 / 3));
  // External ids beyond 32 bits are compared exactly.
  assert.equal(rankingMetrics([2 ** 40 + 1], [2 ** 40 + 1], 1).precision, 1);
  assert.equal(rankingMetrics([2 ** 40 + 1], [2 ** 40], 1).precision, 0);
  assert.throws(
    () => rankingMetrics([1], [1], 0),
    (e) => e instanceof RecwasmError && e.code === 'INVALID_ARGUMENT',
  );
});
