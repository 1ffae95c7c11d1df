// recommend() takes a short path for the common call (a known user with only k / excludeSeen):
// scalars into the core and the lists read back from one reused heap buffer. It must answer
// exactly what the general path (a request object) answers, and its results must not change
// when a later call reuses the buffer.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';
// Internal, not part of the package's API: the wasm Memory's current size.
import { heapBytes } from '../../dist/runtime.js';

let train;
before(async () => {
  await loadRecwasm();
  train = leaveOneOut(demoDataset(), { seed: 42 }).train;
});

// Learned kinds train 2 epochs: the lists only need to exist, not to be good.
const FEW_EPOCHS = new Set(['mf', 'two_tower']);
// An item id no dataset here has: excluding it changes nothing but forces the general path.
const ABSENT_ITEM = 987654321;

test('the short path and the general path give the same lists for every kind', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind, FEW_EPOCHS.has(kind) ? { epochs: 2 } : {});
    try {
      model.fit(train);
      for (const user of train.userIds()) {
        for (const options of [{}, { k: 5 }, { k: 60, excludeSeen: false }, { k: 1000 }]) {
          const short = model.recommend(user, options);
          const general = model.recommend(user, { ...options, exclude: [ABSENT_ITEM] });
          assert.deepEqual(short, general, `${kind} user ${user} ${JSON.stringify(options)}`);
        }
      }
    } finally {
      model.dispose();
    }
  }
});

test('lists from the short path stay as they were after later calls', () => {
  const model = Model.create('popularity');
  try {
    model.fit(train);
    const [first, second] = train.userIds();
    const before = model.recommend(first, { k: 10 });
    const copy = structuredClone(before);
    model.recommend(second, { k: 30, excludeSeen: false });
    assert.deepEqual(before, copy);
    assert.throws(
      () => model.recommend(first, { k: 2.5 }),
      (e) => e instanceof RecwasmError && e.code === 'INVALID_ARGUMENT',
    );
    assert.deepEqual(model.recommend(first, { k: 10 }), copy, 'an error in between leaves the next call intact');
    // Growing the wasm memory replaces the heap views: the next read must use the new one.
    const heapBefore = heapBytes();
    const big = Dataset.fromArrays({
      users: Float64Array.from({ length: 4e6 }, (_, i) => i % 1000),
      items: Float64Array.from({ length: 4e6 }, (_, i) => Math.floor(i / 1000)),
    });
    try {
      assert.ok(heapBytes() > heapBefore, 'the heap grew');
      assert.deepEqual(model.recommend(first, { k: 10 }), copy, 'the same list after the heap grew');
    } finally {
      big.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('scoreItems gives exactly what score gives at those items, for every kind', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind, FEW_EPOCHS.has(kind) ? { epochs: 2 } : {});
    try {
      model.fit(train);
      const ids = Array.from(model.itemIds());
      // Any order, repeats allowed.
      const chosen = [ids.at(-1), ids[0], ids[Math.floor(ids.length / 2)], ids[0]];
      const position = new Map(ids.map((id, index) => [id, index]));
      const requests = [
        ...Array.from(train.userIds()).map((user) => [user, {}]),
        [null, { history: ids.slice(0, 5), historyValues: [5, 1, 4, 2, 3] }],
      ];
      for (const [user, options] of requests) {
        const all = model.score(user, options);
        const picked = model.scoreItems(user, chosen, options);
        assert.deepEqual(
          Array.from(picked),
          chosen.map((id) => all[position.get(id)]),
          `${kind} user ${user}`,
        );
      }
    } finally {
      model.dispose();
    }
  }
});
