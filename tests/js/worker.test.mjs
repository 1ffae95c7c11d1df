// RecwasmWorker under Node (worker threads): the same results as training on this thread,
// progress, per-model errors, transfers, cancellation. The browser variant is checked in
// tests/browser/worker.test.mjs.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  Dataset,
  Model,
  RecwasmError,
  RecwasmWorker,
  demoDataset,
  evaluate,
  lastByTime,
  leaveOneOut,
  loadRecwasm,
} from 'recwasm';
import { serve } from '../../dist/worker/serve.js';

let worker;
let kinds;
before(async () => {
  await loadRecwasm();
  worker = new RecwasmWorker();
  await worker.ready;
  kinds = await worker.kinds();
});
after(() => worker?.terminate());

// Disposables made by a test, disposed after it (Node 20 has no `using` in JavaScript yet).
const owned = [];
const own = (object) => (owned.push(object), object);
afterEach(() => owned.splice(0).forEach((o) => o.dispose()));

const isCode = (code) => (e) => {
  assert.ok(e instanceof RecwasmError, `expected a RecwasmError, got ${e}`);
  assert.equal(e.code, code, e.message);
  return true;
};

describe('training in the worker', () => {
  test('gives the models, metrics and recommendations of training on this thread', async () => {
    assert.deepEqual(kinds, Model.kinds());
    const progress = new Map();
    const delivered = [];
    let announced;
    const result = await worker.train(
      { data: { type: 'demo' }, models: kinds, recommend: { users: [2, 5, 999], k: 10 } },
      {
        onData: (d) => (announced = d),
        onProgress: (p) => progress.set(p.name, [...(progress.get(p.name) ?? []), p]),
        onModel: (m) => delivered.push(m.name),
      },
    );
    assert.deepEqual(announced, { data: result.data, train: result.train, test: result.test });
    assert.equal(result.train.rows, 328);
    assert.equal(result.test.rows, 30);
    assert.deepEqual(delivered, kinds);
    assert.deepEqual(
      result.models.map((m) => m.name),
      kinds,
    );

    const data = own(demoDataset());
    const split = own(leaveOneOut(data, { seed: 42 }));
    for (const [index, trained] of result.models.entries()) {
      assert.equal(trained.error, undefined, `${trained.name}: ${trained.error?.message}`);
      assert.equal(trained.index, index);
      assert.equal(trained.kind, kinds[index]);
      assert.ok(trained.fitMs >= 0);
      assert.equal(trained.progress.done, true);

      const reports = progress.get(trained.name);
      assert.ok(reports.length >= 1);
      assert.equal(reports.at(-1).fraction, 1);
      assert.equal(reports.at(-1).done, true);
      for (let i = 1; i < reports.length; i++) assert.ok(reports[i].fraction >= reports[i - 1].fraction);
      assert.deepEqual(
        trained.losses,
        reports.filter((r) => r.epochEnded && Number.isFinite(r.loss)).map((r) => r.loss),
      );

      const here = own(Model.create(trained.kind));
      here.fit(split.train);
      assert.deepEqual(trained.options, here.info().options);
      const { milliseconds: _a, ...expected } = evaluate(here, split.test, { k: 10 });
      const { milliseconds: _b, ...actual } = trained.evaluation;
      assert.deepEqual(actual, expected, trained.name);

      const loaded = own(Model.load(trained.snapshot));
      assert.deepEqual(loaded.save(), here.save(), `${trained.name}: the snapshot is the model trained here`);
      assert.deepEqual([...trained.recommendations.keys()], [2, 5]); // 999 is unknown
      assert.deepEqual(trained.recommendations.get(2), here.recommend(2, { k: 10 }));
      assert.deepEqual(loaded.recommend(5), here.recommend(5));
    }
  });

  test('takes arrays, transfers whole-buffer typed arrays and copies the rest', async () => {
    const users = Float64Array.from([1, 1, 2, 2, 3, 3, 3]);
    const items = Float64Array.from([10, 20, 10, 30, 10, 20, 40]);
    const backing = new Float64Array(16).fill(5);
    const ratings = backing.subarray(2, 9); // a view: copied, never detached
    const result = await worker.train({
      data: { type: 'arrays', users, items, ratings, itemText: ['a b', 'b c', 'c d', 'd e'], sessions: [[10, 20]] },
      split: 'none',
      models: ['popularity'],
    });
    assert.equal(users.length, 0, 'users was transferred');
    assert.equal(items.length, 0, 'items was transferred');
    assert.equal(ratings.length, 7);
    assert.equal(backing.length, 16);
    assert.equal(result.test, undefined);
    assert.deepEqual(result.data, {
      users: 3,
      items: 4,
      rows: 7,
      hasTimestamps: false,
      hasItemText: true,
      hasSessions: true,
    });
    const [popularity] = result.models;
    assert.equal(popularity.evaluation, undefined, 'nothing to evaluate without a test part');
    const model = own(Model.load(popularity.snapshot));
    assert.deepEqual(model.recommend(1, { k: 2 }), { items: [30, 40], scores: [1, 1] });

    const kept = Float64Array.from([1, 2]);
    await worker.train(
      { data: { type: 'arrays', users: kept, items: [5, 6] }, split: 'none', models: ['popularity'] },
      { transfer: false },
    );
    assert.equal(kept.length, 2, 'transfer: false copies');
  });

  test('names tell variants apart; snapshots can be left out', async () => {
    const result = await worker.train({
      data: { type: 'demo', options: { users: 10, seed: 3 } },
      models: [{ kind: 'popularity', name: 'a' }, { kind: 'popularity', name: 'b' }, 'popularity'],
      snapshots: false,
      evaluate: { k: 5, keepRecommendations: true },
    });
    assert.deepEqual(
      result.models.map((m) => [m.name, m.kind, m.snapshot]),
      [
        ['a', 'popularity', undefined],
        ['b', 'popularity', undefined],
        ['popularity', 'popularity', undefined],
      ],
    );
    assert.equal(result.data.users, 10);
    assert.ok(result.models[0].evaluation.recommendations instanceof Map);
    assert.equal(result.models[0].evaluation.recommendations.get(0).items.length, 5);
  });
});

describe('errors', () => {
  test('a model that fails is reported in its result and the others still train', async () => {
    const result = await worker.train({
      data: { type: 'demo' },
      models: ['popularity', { kind: 'popularity', name: 'bad', options: { no_such_option: 1 } }, 'no_such_model'],
    });
    assert.equal(result.models[0].error, undefined);
    assert.ok(result.models[0].snapshot instanceof Uint8Array);
    assert.equal(result.models[1].error.code, 'INVALID_ARGUMENT');
    assert.match(result.models[1].error.message, /no_such_option/);
    assert.equal(result.models[1].snapshot, undefined);
    assert.equal(result.models[2].error.code, 'INVALID_ARGUMENT');
  });

  test('a bad request or dataset rejects the whole call with its code', async () => {
    await assert.rejects(
      worker.train({ data: { type: 'demo', options: { users: -1 } }, models: ['popularity'] }),
      isCode('INVALID_ARGUMENT'),
    );
    await assert.rejects(worker.train({ data: { type: 'demo' }, models: [] }), isCode('INVALID_ARGUMENT'));
    await assert.rejects(
      worker.train({ data: { type: 'demo' }, models: ['popularity', 'popularity'] }),
      isCode('INVALID_ARGUMENT'),
    );
    await assert.rejects(worker.train({ data: { type: 'nope' }, models: ['popularity'] }), isCode('INVALID_ARGUMENT'));
    await assert.rejects(
      worker.train({ data: { type: 'demo' }, split: { method: 'nope' }, models: ['popularity'] }),
      isCode('INVALID_ARGUMENT'),
    );
    await assert.rejects(
      worker.train({ data: { type: 'arrays', users: [1, 2], items: [1] }, models: ['popularity'] }),
      isCode('INVALID_ARGUMENT'),
    );
    await assert.rejects(
      worker.train({ data: { type: 'demo', options: { seed: () => 1 } }, models: ['popularity'] }),
      isCode('INVALID_ARGUMENT'),
    );
    await assert.rejects(worker.train(null), isCode('INVALID_ARGUMENT'));
    // The worker is still fine.
    const ok = await worker.train({ data: { type: 'demo' }, models: ['popularity'] });
    assert.equal(ok.models.length, 1);
  });

  test('MovieLens files, as text or transferred bytes, are read as Dataset.fromMovieLens reads them', async () => {
    const ratings =
      'userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,3.5,200\n2,10,5.0,150\n2,30,1.0,160\n3,20,2.0,5\n';
    const movies =
      'movieId,title,genres\n10,Heat (1995),Action|Crime\n20,Up (2009),Animation\n30,"Big, Fish (2003)",Drama\n40,Never Rated (2000),Drama\n';
    const here = own(Dataset.fromMovieLens({ ratings, movies }));
    const fromText = await worker.train({
      data: { type: 'movielens', files: { ratings, movies } },
      split: { method: 'last-by-time' },
      models: ['popularity'],
    });
    assert.deepEqual(fromText.data, here.summary());
    assert.equal(fromText.data.items, 4, 'the never-rated movie is in the catalogue');
    const split = own(lastByTime(here));
    assert.deepEqual(fromText.train, split.train.summary());
    assert.deepEqual(fromText.test, split.test.summary());

    const bytes = new TextEncoder().encode(ratings);
    const fromBytes = await worker.train({
      data: { type: 'movielens', files: { ratings: bytes } },
      models: ['popularity'],
    });
    assert.equal(bytes.length, 0, 'the bytes were transferred');
    assert.equal(fromBytes.data.rows, 5);

    await assert.rejects(
      worker.train({
        data: { type: 'movielens', files: { ratings: 'userId,movieId,rating\n1,x,3\n' } },
        models: ['popularity'],
      }),
      isCode('PARSE_ERROR'),
    );
  });

  test('a callback that throws rejects its call only', async () => {
    await assert.rejects(
      worker.train(
        {
          data: { type: 'demo' },
          models: ['popularity', 'popularity#2'].map((name) => ({ kind: 'popularity', name })),
        },
        {
          onModel: () => {
            throw new Error('boom');
          },
        },
      ),
      /boom/,
    );
    assert.equal((await worker.train({ data: { type: 'demo' }, models: ['popularity'] })).models.length, 1);
  });
});

describe('cancellation', () => {
  test('aborting rejects with CANCELLED, nothing of that job arrives later, the worker goes on', async () => {
    const controller = new AbortController();
    let afterAbort = 0;
    const count = () => (afterAbort += controller.signal.aborted ? 1 : 0);
    const many = Array.from({ length: 30 }, (_, i) => ({ kind: 'popularity', name: `p${i}` }));
    await assert.rejects(
      worker.train(
        { data: { type: 'demo' }, models: many },
        { signal: controller.signal, onData: () => controller.abort(), onProgress: count, onModel: count },
      ),
      isCode('CANCELLED'),
    );
    const next = await worker.train({ data: { type: 'demo' }, models: ['popularity'] });
    assert.equal(next.models[0].evaluation.users, 30);
    assert.equal(afterAbort, 0);
    await assert.rejects(
      worker.train({ data: { type: 'demo' }, models: ['popularity'] }, { signal: AbortSignal.abort() }),
      isCode('CANCELLED'),
    );
  });

  test('the worker stops a cancelled job before its next model', async () => {
    // serve() driven in-process: a cancel that arrives while the dataset is being announced
    // stops the job before any model trains.
    const posted = [];
    let deliver;
    serve({
      post: (message) => {
        posted.push(message);
        if (message.type === 'dataset') deliver({ type: 'cancel', id: 1 });
      },
      listen: (handler) => (deliver = handler),
    });
    deliver({ type: 'init' });
    deliver({
      type: 'train',
      id: 1,
      request: {
        data: { type: 'demo' },
        models: ['popularity', 'popularity#2'].map((name) => ({ kind: 'popularity', name })),
      },
    });
    for (let i = 0; i < 100 && !posted.some((m) => m.type === 'failed'); i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      posted.map((m) => m.type),
      ['ready', 'dataset', 'failed'],
    );
    assert.equal(posted[2].error.code, 'CANCELLED');
  });

  test('jobs sent together all complete', async () => {
    const [a, b] = await Promise.all([
      worker.train({ data: { type: 'demo', options: { seed: 1 } }, models: ['popularity'] }),
      worker.train({ data: { type: 'demo', options: { seed: 2 } }, models: ['popularity'] }),
    ]);
    const da = own(demoDataset({ seed: 1 }));
    const db = own(demoDataset({ seed: 2 }));
    assert.deepEqual(a.data, da.summary());
    assert.deepEqual(b.data, db.summary());
    const ma = own(Model.load(a.models[0].snapshot));
    const mb = own(Model.load(b.models[0].snapshot));
    assert.notDeepEqual(ma.recommend(0), mb.recommend(0));
  });

  test('terminate() rejects pending calls and later ones with CANCELLED', async () => {
    const own = new RecwasmWorker();
    const pending = own.train({ data: { type: 'demo' }, models: ['popularity'] });
    own.terminate();
    await assert.rejects(pending, isCode('CANCELLED'));
    await assert.rejects(own.train({ data: { type: 'demo' }, models: ['popularity'] }), isCode('CANCELLED'));
    await assert.rejects(own.ready, isCode('CANCELLED'));
  });
});
