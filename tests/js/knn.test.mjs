import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

before(async () => {
  await loadRecwasm();
});

const isCode = (code) => (e) => e instanceof RecwasmError && e.code === code;

// The notebook's printed results (seed 42): P@10, R@10 and user 2's list.
const notebook = {
  user_knn: { hits: 11, user2: [25, 48, 32, 53, 6, 1, 56, 9, 0, 54] },
  item_knn: { hits: 10, user2: [15, 3, 14, 23, 31, 45, 46, 52, 55, 42] },
};

for (const [kind, expected] of Object.entries(notebook)) {
  test(`${kind} through the package reproduces the notebook`, () => {
    const data = demoDataset();
    const split = leaveOneOut(data, { seed: 42 });
    const model = Model.create(kind);
    try {
      model.fit(split.train);
      assert.deepEqual(model.recommend(2, { k: 10 }).items, expected.user2);
      const e = evaluate(model, split.test, { k: 10 });
      assert.equal(e.users, 30);
      assert.ok(Math.abs(e.precision - expected.hits / 300) < 1e-12);
      assert.ok(Math.abs(e.recall - expected.hits / 30) < 1e-12);
      assert.ok(Number.isFinite(e.rmse), 'kNN predicts ratings, so RMSE applies');
      assert.equal(model.info().predictsRatings, true);
    } finally {
      model.dispose();
      split.dispose();
      data.dispose();
    }
  });
}

test('kNN options are typed, validated and reported', () => {
  const model = Model.create('item_knn', { neighbors: 5, shrinkage: 2, minOverlap: 3, maxStoredNeighbors: 20 });
  try {
    assert.deepEqual(model.info().options, {
      implicit: false,
      maxStoredNeighbors: 20,
      minOverlap: 3,
      neighbors: 5,
      shrinkage: 2,
    });
  } finally {
    model.dispose();
  }
  const defaults = Model.create('user_knn');
  assert.equal(defaults.info().options.neighbors, 30);
  defaults.dispose();
  assert.throws(() => Model.create('user_knn', { neighbors: 0 }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => Model.create('item_knn', { shrinkage: -1 }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => Model.create('item_knn', { implicit: 'yes' }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => Model.create('item_knn', { k_neighbors: 50 }), isCode('INVALID_ARGUMENT'));
});

test('kNN fold-in, explanations and similar items in the caller ids', () => {
  // Users 10, 20, 30 over movies 100..104 (external ids); user 40 only in the catalogue.
  const data = Dataset.fromArrays({
    users: [10, 10, 10, 20, 20, 20, 30, 30, 30],
    items: [100, 101, 102, 100, 101, 103, 101, 102, 103],
    ratings: [5, 3, 4, 4, 2, 5, 1, 2, 4],
    catalogue: { users: [40], items: [104] },
  });
  const items = Model.create('item_knn');
  const users = Model.create('user_knn');
  try {
    items.fit(data);
    users.fit(data);
    for (const model of [items, users]) {
      // A new user from a history behaves like a stored user with that history.
      const folded = model.recommend(null, { k: 5, history: [100, 101, 102], historyValues: [5, 3, 4] });
      assert.deepEqual(
        folded.items,
        model.recommend(10, { k: 5, history: [100, 101, 102], historyValues: [5, 3, 4] }).items,
      );
      assert.ok(folded.items.every((i) => [103, 104].includes(i)));
      assert.throws(() => model.recommend(null, { k: 5 }), isCode('UNKNOWN_USER'));
      assert.throws(() => model.recommend(99, { k: 5 }), isCode('UNKNOWN_USER'));
      assert.throws(() => model.recommend(10, { k: 0 }), isCode('INVALID_ARGUMENT'));
      assert.equal(model.recommend(10, { k: 50 }).items.length, 2);
      // A catalogue user without ratings: mean 0, every prediction 0, ties to the lower id.
      assert.deepEqual(model.recommend(40, { k: 3 }), { items: [100, 101, 102], scores: [0, 0, 0] });
    }
    const why = items.explain(10, 103, { topN: 5 });
    assert.ok(why.items.length > 0 && why.items.every((i) => [100, 101, 102].includes(i)));
    const score103 = items.score(10)[items.itemIds().indexOf(103)];
    assert.ok(Math.abs(why.weights.reduce((a, b) => a + b, 0) - score103) < 1e-12);
    const similar = items.similarItems(100, 3);
    assert.ok(similar.items.length > 0 && !similar.items.includes(100));
    assert.ok(similar.scores.every((s, k) => s > 0 && (k === 0 || similar.scores[k - 1] >= s)));
    assert.throws(() => users.similarItems(100, 3), isCode('UNSUPPORTED'));
  } finally {
    items.dispose();
    users.dispose();
    data.dispose();
  }
});

test('kNN snapshots round-trip to identical scores', () => {
  const data = demoDataset();
  for (const kind of ['user_knn', 'item_knn']) {
    const model = Model.create(kind, { shrinkage: 1.5 });
    try {
      model.fit(data);
      const loaded = Model.load(model.save());
      try {
        assert.deepEqual(loaded.info().options, model.info().options);
        for (const user of [0, 7, 29]) assert.deepEqual(loaded.score(user), model.score(user));
      } finally {
        loaded.dispose();
      }
    } finally {
      model.dispose();
    }
  }
  data.dispose();
});

test('kNN refuses empty training data and keeps serving', () => {
  const empty = Dataset.fromArrays({ users: [], items: [] });
  const data = demoDataset();
  const model = Model.create('item_knn');
  try {
    assert.throws(() => model.fit(empty), isCode('INVALID_ARGUMENT'));
    model.fit(data);
    const before = model.recommend(3, { k: 5 });
    assert.throws(() => model.fit(empty), isCode('INVALID_ARGUMENT'));
    assert.deepEqual(model.recommend(3, { k: 5 }), before);
  } finally {
    model.dispose();
    data.dispose();
    empty.dispose();
  }
});
