// Memory: 1,000 fit/dispose cycles on the notebook data for every model, and repeated datasets,
// queries, snapshots and evaluations, leave the wasm heap where it was after a warm-up: the
// same heap size, the same bytes allocated (within 1 KB, so a leak of 8 bytes a cycle fails),
// and the same number of JS handles Embind holds. A dropped-but-undisposed model is freed by the
// FinalizationRegistry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';
import { memoryStats } from '../../dist/runtime.js';

const CYCLES = 1000;
const WARM_UP = 50;
const TOLERANCE_BYTES = 1024;

let data;
let split;
before(async () => {
  await loadRecwasm();
  data = demoDataset();
  split = leaveOneOut(data, { seed: 42 });
});
after(() => {
  split?.dispose();
  data?.dispose();
});

/** Runs `cycle` CYCLES times and compares memory after the warm-up with memory at the end. */
function assertFlat(what, cycle) {
  for (let i = 0; i < WARM_UP; i++) cycle(i);
  const warm = memoryStats();
  for (let i = WARM_UP; i < CYCLES; i++) cycle(i);
  const end = memoryStats();
  assert.equal(end.heapBytes, warm.heapBytes, `${what}: the heap grew`);
  assert.ok(
    end.allocatedBytes - warm.allocatedBytes <= TOLERANCE_BYTES,
    `${what}: ${end.allocatedBytes - warm.allocatedBytes} bytes more allocated after ${CYCLES - WARM_UP} cycles`,
  );
  assert.equal(end.handles, warm.handles, `${what}: Embind handles leaked`);
}

test('the accounting sees a leak', () => {
  const before = memoryStats();
  const kept = Array.from({ length: 20 }, () => Model.create('popularity'));
  const during = memoryStats();
  assert.ok(during.allocatedBytes > before.allocatedBytes);
  kept.forEach((m) => m.dispose());
  assert.ok(memoryStats().allocatedBytes <= before.allocatedBytes + TOLERANCE_BYTES);
});

test('1,000 fit/dispose cycles per model leave the heap flat', () => {
  const kinds = Model.kinds();
  assert.ok(kinds.length >= 1);
  for (const kind of kinds) {
    assertFlat(`${kind} fit/dispose`, () => {
      const model = Model.create(kind);
      model.fit(split.train);
      model.dispose();
    });
  }
});

test('1,000 datasets and splits created and disposed leave the heap flat', () => {
  assertFlat('demo dataset + split', (i) => {
    const d = demoDataset({ seed: i % 3 });
    const s = leaveOneOut(d, { seed: 42 });
    s.dispose();
    d.dispose();
  });
});

test('1,000 rounds of queries, snapshots and evaluations leave the heap flat', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    model.fit(split.train);
    try {
      const users = Array.from(model.userIds());
      const optional = (fn) => {
        try {
          fn();
        } catch (error) {
          if (!(error instanceof RecwasmError && error.code === 'UNSUPPORTED')) throw error;
        }
      };
      assertFlat(`${kind} queries`, (i) => {
        const user = users[i % users.length];
        model.recommend(user, { k: 10, exclude: [1, 2], allow: Array.from({ length: 40 }, (_, j) => j) });
        model.recommend(user, { k: 1 + (i % 100) }); // the short path and its reused buffer
        model.recommend(null, { k: 5, history: [3, 4, 5] });
        model.score(user);
        optional(() => model.similarItems(i % 60, 5));
        optional(() => model.explain(user, i % 60));
        Model.load(model.save()).dispose();
        evaluate(model, split.test, { k: 10, keepRecommendations: i % 2 === 0 });
      });
      // Errors leave nothing behind either.
      assertFlat(`${kind} errors`, () => {
        assert.throws(() => model.recommend(123_456));
        assert.throws(() => model.recommend(2, { k: 0 }));
        assert.throws(() => Model.load(new Uint8Array(100)));
      });
    } finally {
      model.dispose();
    }
  }
});

test('models dropped without dispose() are freed by the FinalizationRegistry', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const baseline = memoryStats();
  (() => {
    for (let i = 0; i < 200; i++) Model.create('popularity').fit(split.train);
  })();
  assert.ok(memoryStats().allocatedBytes > baseline.allocatedBytes + 100_000);
  // The collector and the finalisers run when they like; give them a few rounds.
  for (let round = 0; round < 50 && memoryStats().allocatedBytes > baseline.allocatedBytes + TOLERANCE_BYTES; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(memoryStats().allocatedBytes <= baseline.allocatedBytes + TOLERANCE_BYTES);
});
