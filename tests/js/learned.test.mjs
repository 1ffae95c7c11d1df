import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('../..', import.meta.url).pathname;

before(async () => {
  await loadRecwasm();
});

const isCode = (code) => (e) => e instanceof RecwasmError && e.code === code;

function withSplit(f) {
  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  try {
    return f(split);
  } finally {
    split.dispose();
    data.dispose();
  }
}

const fnv1a = (bytes) => {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
};

test('mf and two_tower train on the notebook split, report every epoch and recommend', () => {
  withSplit((split) => {
    for (const kind of ['mf', 'two_tower']) {
      const model = Model.create(kind);
      try {
        const losses = [];
        const done = model.fit(split.train, {
          onProgress: (p) => {
            if (p.epochEnded) losses.push(p.loss);
          },
        });
        assert.equal(done.done, true);
        assert.equal(losses.length, 10);
        assert.ok(losses.at(-1) < losses[0], `${kind} loss falls`);
        const e = evaluate(model, split.test, { k: 10 });
        assert.ok(e.recall >= 0.2 && e.recall <= 0.8, `${kind} recall ${e.recall}`);
        assert.equal(model.info().predictsRatings, kind === 'mf');
        const recs = model.recommend(3, { k: 10 });
        assert.equal(recs.items.length, 10);
        assert.equal(model.similarItems(recs.items[0], 5).items.length, 5);
        assert.equal(model.explain(3, recs.items[0], { topN: 2 }).items.length, 2);
        const folded = model.recommend(null, { k: 5, history: [1, 2, 3], historyValues: [5, 4, 1] });
        assert.equal(folded.items.length, 5);
        assert.ok(folded.items.every((i) => ![1, 2, 3].includes(i)));
      } finally {
        model.dispose();
      }
    }
  });
});

test('the wasm build trains bit-identically to the native build', (t) => {
  const tool = `${root}build/native/recwasm-learned-bench`;
  if (!existsSync(tool)) {
    t.skip('native tool not built');
    return;
  }
  withSplit((split) => {
    const cases = [
      ['mf', {}],
      ['mf', { objective: 'implicit' }],
      ['two_tower', {}],
      ['two_tower', { loss: 'softmax', temperature: 0.3 }],
      // Odd batches and blocks that are not whole SIMD lanes (the softmax's leftover paths).
      ['two_tower', { loss: 'softmax', batchSize: 37 }],
      ['mf', { optimizer: 'sgd', batchSize: 1, learningRate: 0.03, l2: 0.15, epochs: 3 }],
    ];
    for (const [kind, options] of cases) {
      const sets = Object.entries(options).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
      const native = JSON.parse(
        execFileSync(tool, ['--model', kind, '--ratings', 'demo', ...sets], { encoding: 'utf8' }),
      );
      const model = Model.create(kind, options);
      try {
        model.fit(split.train);
        assert.equal(fnv1a(model.save()), native.snapshotHash, `${kind} ${JSON.stringify(options)}`);
      } finally {
        model.dispose();
      }
    }
  });
});

test('same seed, same model; snapshots round-trip', () => {
  withSplit((split) => {
    const a = Model.create('two_tower', { temperature: 0.3, seed: 5 });
    const b = Model.create('two_tower', { temperature: 0.3, seed: 5 });
    try {
      a.fit(split.train);
      b.fit(split.train);
      assert.deepEqual(a.save(), b.save());
      const loaded = Model.load(a.save());
      assert.deepEqual(loaded.score(4), a.score(4));
      assert.deepEqual(loaded.info().options, a.info().options);
      loaded.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

test('fitAsync cancels between batches and keeps the previous state', async () => {
  const data = demoDataset();
  const model = Model.create('mf', { epochs: 50, batchSize: 16 });
  try {
    const controller = new AbortController();
    await assert.rejects(
      model.fitAsync(data, {
        batchesPerSlice: 3,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.fraction > 0.1) controller.abort();
        },
      }),
      isCode('CANCELLED'),
    );
    assert.equal(model.fitted, false);
    assert.equal(model.info().fitInProgress, false);
  } finally {
    model.dispose();
    data.dispose();
  }
});

test('bad options and diverging runs raise typed errors', () => {
  for (const [kind, options] of [
    ['mf', { epochs: 0 }],
    ['mf', { factors: 0 }],
    ['mf', { learningRate: -0.01 }],
    ['mf', { objective: 'ratings' }],
    ['two_tower', { temperature: 0 }],
    ['two_tower', { loss: 'hinge' }],
    ['two_tower', { dim: 8 }],
  ]) {
    assert.throws(() => Model.create(kind, options), isCode('INVALID_ARGUMENT'), JSON.stringify(options));
  }
  withSplit((split) => {
    const model = Model.create('mf', { optimizer: 'sgd', learningRate: 500 });
    try {
      assert.throws(
        () => model.fit(split.train),
        (e) => isCode('TRAINING_DIVERGED')(e) && /epoch \d+/.test(e.message),
      );
      assert.equal(model.fitted, false);
    } finally {
      model.dispose();
    }
  });
  // Ratings must be finite.
  assert.throws(
    () => Dataset.fromArrays({ users: [1, 2], items: [1, 2], ratings: [4, NaN] }),
    isCode('INVALID_ARGUMENT'),
  );
});
