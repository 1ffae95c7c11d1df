// One test per error code a TypeScript caller can meet, over every model this build has. Each
// checks the code, that the message says something, and that models and data stay usable.
// NOT_LOADED needs a fresh module and lives in not-loaded.test.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const throwsCode = (fn, code) =>
  assert.throws(fn, (e) => {
    assert.ok(e instanceof RecwasmError, `expected a RecwasmError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.length > 0);
    return true;
  });

const rejectsCode = (promise, code) =>
  assert.rejects(promise, (e) => {
    assert.ok(e instanceof RecwasmError, `expected a RecwasmError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });

let data;
let split;
let kinds;
before(async () => {
  await loadRecwasm();
  data = demoDataset();
  split = leaveOneOut(data, { seed: 42 });
  kinds = Model.kinds();
});
after(() => {
  split.dispose();
  data.dispose();
});

/** A fitted model of `kind` for the duration of `body`. */
function withFitted(kind, body) {
  const model = Model.create(kind);
  try {
    model.fit(split.train);
    return body(model);
  } finally {
    model.dispose();
  }
}

describe('INVALID_ARGUMENT', () => {
  test('bad model names, options, k and arrays; nothing changes', () => {
    throwsCode(() => Model.create('no_such_model'), 'INVALID_ARGUMENT');
    throwsCode(() => Model.create(42), 'INVALID_ARGUMENT');
    throwsCode(() => Dataset.fromArrays({ users: [1, 2], items: [1] }), 'INVALID_ARGUMENT');
    throwsCode(() => Dataset.fromArrays({ users: [1.5], items: [1] }), 'INVALID_ARGUMENT');
    throwsCode(() => Dataset.fromArrays(null), 'INVALID_ARGUMENT');
    throwsCode(() => demoDataset({ users: 'many' }), 'INVALID_ARGUMENT');
    throwsCode(() => leaveOneOut(data, { seed: -1 }), 'INVALID_ARGUMENT');
    for (const kind of kinds) {
      throwsCode(() => Model.create(kind, { no_such_option: 1 }), 'INVALID_ARGUMENT');
      withFitted(kind, (model) => {
        const before = model.recommend(2, { k: 5 });
        throwsCode(() => model.recommend(2, { k: 0 }), 'INVALID_ARGUMENT');
        throwsCode(() => model.recommend(2, { k: 2.5 }), 'INVALID_ARGUMENT');
        throwsCode(() => model.recommend('2'), 'INVALID_ARGUMENT');
        throwsCode(() => model.recommend(2, { history: [1, 2], historyValues: [1] }), 'INVALID_ARGUMENT');
        throwsCode(() => model.fit({}), 'INVALID_ARGUMENT');
        throwsCode(() => model.fit(split.train, { batchesPerSlice: 0 }), 'INVALID_ARGUMENT');
        assert.deepEqual(model.recommend(2, { k: 5 }), before, kind);
      });
    }
    assert.equal(split.train.rowCount, 328);
  });
});

describe('UNKNOWN_USER', () => {
  test('a user the model never saw, without a history', () => {
    for (const kind of kinds) {
      withFitted(kind, (model) => {
        throwsCode(() => model.recommend(12345), 'UNKNOWN_USER');
        throwsCode(() => model.score(12345), 'UNKNOWN_USER');
        throwsCode(() => model.recommend(null), 'UNKNOWN_USER');
        // With a history the same user is folded in instead.
        assert.ok(model.recommend(12345, { history: [1, 2, 3] }).items.length > 0, kind);
      });
    }
  });
});

describe('UNKNOWN_ITEM', () => {
  test('similar items of, or an explanation for, an item not in the catalogue', () => {
    for (const kind of kinds) {
      withFitted(kind, (model) => {
        throwsCode(() => model.similarItems(999_999), 'UNKNOWN_ITEM');
        throwsCode(() => model.explain(2, 999_999), 'UNKNOWN_ITEM');
      });
    }
  });
});

describe('PARSE_ERROR', () => {
  test('malformed MovieLens text names the file and line, and loads nothing', () => {
    const bad = 'userId,movieId,rating,timestamp\n1,10,4.0,100\n2,ten,3.0,200\n';
    assert.throws(
      () => Dataset.fromMovieLens({ ratings: bad }),
      (e) => {
        assert.ok(e instanceof RecwasmError);
        assert.equal(e.code, 'PARSE_ERROR');
        assert.match(e.message, /ratings/);
        assert.match(e.message, /line 3|:3\b/);
        return true;
      },
    );
    const good = Dataset.fromMovieLens({ ratings: bad.split('\n').slice(0, 2).join('\n') });
    assert.equal(good.rowCount, 1);
    good.dispose();
  });
});

describe('NOT_FITTED', () => {
  test('serving or saving before training', () => {
    for (const kind of kinds) {
      const model = Model.create(kind);
      try {
        assert.equal(model.fitted, false);
        throwsCode(() => model.recommend(0), 'NOT_FITTED');
        throwsCode(() => model.score(0), 'NOT_FITTED');
        throwsCode(() => model.similarItems(0), 'NOT_FITTED');
        throwsCode(() => model.save(), 'NOT_FITTED');
        throwsCode(() => evaluate(model, split.test), 'NOT_FITTED');
        model.fit(split.train);
        assert.equal(model.fitted, true);
      } finally {
        model.dispose();
      }
    }
  });
});

describe('CORRUPT_SNAPSHOT and UNSUPPORTED_VERSION', () => {
  test('altered bytes and newer formats (details in snapshot.test.mjs)', () => {
    for (const kind of kinds) {
      const bytes = withFitted(kind, (model) => model.save());
      const flipped = bytes.slice();
      flipped[bytes.length >> 1] ^= 0x10;
      throwsCode(() => Model.load(flipped), 'CORRUPT_SNAPSHOT');
      throwsCode(() => Model.load(bytes.subarray(0, bytes.length - 1)), 'CORRUPT_SNAPSHOT');
      throwsCode(() => Model.load(new Uint8Array(0)), 'CORRUPT_SNAPSHOT');
      throwsCode(() => Model.load('not bytes'), 'INVALID_ARGUMENT');
      const future = withVersion(bytes, 0xffff);
      throwsCode(() => Model.load(future), 'UNSUPPORTED_VERSION');
      Model.load(bytes).dispose(); // the original still loads
    }
  });
});

describe('CANCELLED', () => {
  // A report with done: true comes after the model took its new state, so only runs that report
  // before they are done (models trained in epochs) can be stopped by their callback; a signal
  // aborted before the start stops any model.
  test('an aborted signal, and onProgress returning false; the old state keeps serving', async () => {
    for (const kind of kinds) {
      const model = Model.create(kind);
      try {
        await rejectsCode(model.fitAsync(split.train, { signal: AbortSignal.abort() }), 'CANCELLED');
        assert.equal(model.fitted, false, kind);
        model.fit(split.train);
        const before = model.recommend(2);
        await rejectsCode(model.fitAsync(data, { signal: AbortSignal.abort() }), 'CANCELLED');
        assert.deepEqual(model.recommend(2), before, kind);

        let reports = 0;
        let outcome;
        try {
          outcome = model.fit(data, { batchesPerSlice: 1, onProgress: () => (reports++, false) });
        } catch (error) {
          outcome = error;
        }
        assert.equal(reports, 1, kind);
        if (outcome instanceof RecwasmError) {
          assert.equal(outcome.code, 'CANCELLED', kind);
          assert.deepEqual(model.recommend(2), before, kind);
        } else {
          assert.equal(outcome.done, true, `${kind} ignored a false from onProgress before it was done`);
        }
        assert.equal(model.info().fitInProgress, false, kind);
      } finally {
        model.dispose();
      }
    }
  });

  test('aborting during fitAsync stops the run between slices', async () => {
    for (const kind of kinds) {
      const model = Model.create(kind);
      const controller = new AbortController();
      try {
        const outcome = await model
          .fitAsync(split.train, {
            batchesPerSlice: 1,
            signal: controller.signal,
            onProgress: () => controller.abort(),
          })
          .catch((error) => error);
        if (outcome instanceof RecwasmError) {
          assert.equal(outcome.code, 'CANCELLED', kind);
          assert.equal(model.fitted, false, kind);
        } else {
          assert.equal(outcome.done, true, kind); // one pass: done at the first report
        }
        assert.equal(model.info().fitInProgress, false, kind);
      } finally {
        model.dispose();
      }
    }
  });

  test('a callback that throws ends the run; the model is then old or new, never half-trained', () => {
    for (const kind of kinds) {
      withFitted(kind, (model) => {
        const before = model.recommend(2);
        let done;
        assert.throws(
          () =>
            model.fit(data, {
              batchesPerSlice: 1,
              onProgress: (p) => {
                done = p.done;
                throw new Error('boom');
              },
            }),
          /boom/,
        );
        assert.equal(model.info().fitInProgress, false);
        if (done) {
          const fresh = Model.create(kind);
          fresh.fit(data);
          assert.deepEqual(model.recommend(2), fresh.recommend(2), kind);
          fresh.dispose();
        } else {
          assert.deepEqual(model.recommend(2), before, kind);
        }
      });
    }
  });
});

describe('TRAINING_DIVERGED', () => {
  // Models trained by gradient steps take a learning rate. With the largest one they accept (and
  // plain SGD where they offer it) training must either end with a finite loss or throw
  // TRAINING_DIVERGED and leave the model as it was; never serve NaN scores. Some model must
  // actually diverge (a bounded loss, like two_tower's cosine logits, may not).
  const RATES = [1e30, 1e12, 1e6, 1e4, 1e3, 100];
  function divergentOptions(kind) {
    const probe = Model.create(kind);
    const keys = Object.keys(probe.info().options);
    probe.dispose();
    const rate = keys.find((key) => /^(learning_?rate|lr)$/i.test(key));
    if (!rate) return undefined;
    const extra = keys.includes('optimizer') ? { optimizer: 'sgd' } : {};
    for (const value of RATES) {
      try {
        Model.create(kind, { ...extra, [rate]: value }).dispose();
        return { ...extra, [rate]: value };
      } catch (error) {
        if (!(error instanceof RecwasmError && error.code === 'INVALID_ARGUMENT')) throw error;
        try {
          Model.create(kind, { [rate]: value }).dispose();
          return { [rate]: value };
        } catch (inner) {
          if (!(inner instanceof RecwasmError && inner.code === 'INVALID_ARGUMENT')) throw inner;
        }
      }
    }
    return undefined;
  }

  test('a diverging learning rate throws and leaves the model as it was', (t) => {
    const cases = kinds.map((kind) => [kind, divergentOptions(kind)]).filter(([, options]) => options);
    if (cases.length === 0) {
      t.skip('no model of this build takes a learning rate');
      return;
    }
    let diverged = 0;
    for (const [kind, options] of cases) {
      const model = Model.create(kind, options);
      try {
        let outcome;
        try {
          outcome = model.fit(split.train);
        } catch (error) {
          outcome = error;
        }
        if (outcome instanceof RecwasmError) {
          assert.equal(outcome.code, 'TRAINING_DIVERGED', `${kind}: ${outcome.message}`);
          assert.equal(model.fitted, false, kind);
          assert.equal(model.info().fitInProgress, false, kind);
          diverged++;
        } else {
          assert.ok(Number.isFinite(outcome.loss), `${kind} ended with loss ${outcome.loss} and no error`);
          assert.ok(
            model.score(2).every((x) => !Number.isNaN(x)),
            kind,
          );
        }
      } finally {
        model.dispose();
      }
    }
    assert.ok(diverged > 0, `none of ${cases.map(([k]) => k).join(', ')} diverged`);
  });
});

describe('UNSUPPORTED', () => {
  test('similar items from a model without an item space', () => {
    withFitted('popularity', (model) => {
      throwsCode(() => model.similarItems(0), 'UNSUPPORTED');
      assert.equal(model.recommend(2).items.length, 10);
    });
  });
});

describe('DISPOSED', () => {
  test('every use of a disposed model or dataset', () => {
    for (const kind of kinds) {
      const model = Model.create(kind);
      model.fit(split.train);
      model.dispose();
      assert.equal(model.disposed, true);
      model.dispose(); // twice is fine
      throwsCode(() => model.recommend(2), 'DISPOSED');
      throwsCode(() => model.save(), 'DISPOSED');
      throwsCode(() => model.info(), 'DISPOSED');
      throwsCode(() => model.fit(split.train), 'DISPOSED');
    }
    const own = demoDataset();
    own.dispose();
    throwsCode(() => own.summary(), 'DISPOSED');
    throwsCode(() => leaveOneOut(own), 'DISPOSED');
    const model = Model.create('popularity');
    try {
      throwsCode(() => model.fit(own), 'DISPOSED');
      model.fit(split.train); // still usable
    } finally {
      model.dispose();
    }
  });

  test('disposing a model while fitAsync runs ends the run with DISPOSED', async () => {
    const model = Model.create(kinds[kinds.length - 1]);
    const running = model.fitAsync(split.train, {
      batchesPerSlice: 1,
      onProgress: () => model.dispose(),
    });
    const outcome = await running.then(
      (progress) => progress,
      (error) => error,
    );
    // A one-pass model is done at its first report; an iterative one meets DISPOSED.
    if (outcome instanceof RecwasmError) assert.equal(outcome.code, 'DISPOSED');
    else assert.equal(outcome.done, true);
    assert.equal(model.disposed, true);
  });
});

/** `bytes` with another format version and a checksum that matches again. */
function withVersion(bytes, version) {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(8, version, true);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
