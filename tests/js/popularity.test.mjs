import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

before(async () => {
  await loadRecwasm();
});

const isCode = (code) => (e) => e instanceof RecwasmError && e.code === code;

test('popularity through the package reproduces the notebook protocol on the demo data', () => {
  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  const model = Model.create('popularity');
  try {
    assert.equal(split.train.rowCount, 328);
    assert.equal(split.test.rowCount, 30);
    model.fit(split.train);
    const e = evaluate(model, split.test, { k: 10 });
    assert.equal(e.users, 30);
    assert.ok(Math.abs(e.precision - 11 / 300) < 1e-12);
    assert.ok(Math.abs(e.recall - 11 / 30) < 1e-12);
  } finally {
    model.dispose();
    split.dispose();
    data.dispose();
  }
});

test('popularity ranks by count with ties to the lower id, in the caller ids', () => {
  // item 30 x3, items 10 and 40 x2 each, item 5 x1
  const data = Dataset.fromArrays({
    users: [100, 100, 200, 200, 300, 300, 300, 100],
    items: [30, 40, 30, 10, 30, 40, 10, 5],
  });
  const model = Model.create('popularity');
  try {
    model.fit(data);
    assert.deepEqual(model.recommend(300, { k: 10 }).items, [5]);
    assert.deepEqual(model.recommend(300, { k: 3, excludeSeen: false }), { items: [30, 10, 40], scores: [3, 2, 2] });
    assert.deepEqual(model.recommend(null, { k: 2, history: [30] }).items, [10, 40]);
    assert.deepEqual(
      model.recommend(300, { k: 10, excludeSeen: false, exclude: [30], allow: [30, 40, 5] }).items,
      [40, 5],
    );
  } finally {
    model.dispose();
    data.dispose();
  }
});

test('snapshots round-trip and reject corruption', () => {
  const data = demoDataset();
  const model = Model.create('popularity');
  try {
    model.fit(data);
    const bytes = model.save();
    const loaded = Model.load(bytes);
    assert.deepEqual(loaded.recommend(2, { k: 10 }), model.recommend(2, { k: 10 }));
    loaded.dispose();
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 10] ^= 0xff;
    assert.throws(() => Model.load(corrupt), isCode('CORRUPT_SNAPSHOT'));
    assert.throws(() => Model.load(bytes.subarray(0, 20)), isCode('CORRUPT_SNAPSHOT'));
  } finally {
    model.dispose();
    data.dispose();
  }
});

test('errors are typed and leave the model usable', () => {
  const data = demoDataset();
  const model = Model.create('popularity');
  try {
    assert.throws(() => model.recommend(0), isCode('NOT_FITTED'));
    model.fit(data);
    const before = model.recommend(3, { k: 5 });
    assert.throws(() => model.recommend(3, { k: 0 }), isCode('INVALID_ARGUMENT'));
    assert.throws(() => model.recommend(12345), isCode('UNKNOWN_USER'));
    assert.throws(() => Model.create('nope'), isCode('INVALID_ARGUMENT'));
    assert.throws(() => Model.create('popularity', { foo: 1 }), isCode('INVALID_ARGUMENT'));
    assert.deepEqual(model.recommend(3, { k: 5 }), before);
  } finally {
    model.dispose();
    data.dispose();
  }
  assert.throws(() => model.recommend(3), isCode('DISPOSED'));
});
