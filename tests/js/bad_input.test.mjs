// The bad-input matrix: every public entry point, called with wrong types, NaN, infinities,
// negative, fractional and huge numbers, empty and oversized inputs, must answer with a
// RecwasmError carrying the documented code — and leave every model and dataset created before
// exactly as it was (each case is followed by a full comparison against the state captured
// once at the start). The matrix is generated over Model.kinds(), so new models join it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const INVALID = 'INVALID_ARGUMENT';
/** A case that may succeed but, if it fails, must fail with a typed error other than INTERNAL. */
const TYPED = 'typed';
/** A case that must succeed (extreme but valid input). */
const OK = 'ok';

// Values of the wrong type for a parameter that wants a number / an array / an object.
const NOT_NUMBERS = [null, 'abc', '3', true, {}, [], [3], () => 3, Symbol('s'), 3n];
const BAD_NUMBERS = [NaN, Infinity, -Infinity, 1.5, 2 ** 53 + 2, -(2 ** 60), 1e308, -1e308];
const NOT_ARRAYS = [null, 42, true, () => 0, Symbol('s'), { length: -1.5 }, { length: 2 ** 32 }];
const BAD_ID_ARRAYS = [[NaN], [Infinity], [1.5], [2 ** 53], [-(2 ** 53)], ['x'], [null], [{}], [1n], [, 1]];

let data;
let split;
const models = new Map();
let states;

const show = (v) => {
  try {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol' || typeof v === 'function') return String(v);
    const s = JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : Number.isNaN(x) ? 'NaN' : x));
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + '…' : s;
  } catch {
    return String(v);
  }
};

function fingerprintData(d) {
  const { users, items, ratings } = d.toArrays();
  let h = 0;
  for (let r = 0; r < users.length; r++) h = (Math.imul(h, 31) + users[r] * 7 + items[r] * 3 + ratings[r] * 2) | 0;
  return JSON.stringify([d.summary(), h, d.itemText()?.join('|').length, d.sessions()?.length]);
}

function fingerprintModel(m) {
  const info = m.info();
  return JSON.stringify([info, m.recommend(2, { k: 10 }), Array.from(m.score(2)), m.save().length]);
}

function captureState() {
  return {
    data: [data, split.train, split.test].map(fingerprintData),
    models: new Map([...models].map(([kind, m]) => [kind, fingerprintModel(m)])),
  };
}

/** Every dataset and model made before still answers exactly as at the start. */
function assertIntact(label) {
  const now = captureState();
  assert.deepEqual(now.data, states.data, `${label}: a dataset changed`);
  for (const [kind, fingerprint] of states.models) {
    assert.equal(now.models.get(kind), fingerprint, `${label}: the ${kind} model changed`);
  }
}

/**
 * Runs each case, checks its outcome and that nothing changed, and fails once with the list of
 * every case that misbehaved (so one run shows the whole picture).
 */
function runMatrix(entry, cases) {
  const problems = [];
  for (const c of cases) {
    const label = `${entry}: ${c.name}`;
    let outcome;
    try {
      const result = c.run();
      outcome = { ok: true, result };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const expected = Array.isArray(c.expect) ? c.expect : [c.expect];
    if (outcome.ok) {
      if (!expected.includes(OK) && !expected.includes(TYPED)) {
        problems.push(`${label}: expected ${expected.join('|')}, but it succeeded`);
      } else {
        try {
          c.check?.(outcome.result);
        } catch (error) {
          problems.push(`${label}: succeeded with a wrong result: ${error.message}`);
        }
      }
    } else if (!(outcome.error instanceof RecwasmError)) {
      problems.push(`${label}: threw ${outcome.error?.constructor?.name}: ${outcome.error?.message}`);
    } else if (expected.includes(TYPED) ? outcome.error.code === 'INTERNAL' : !expected.includes(outcome.error.code)) {
      problems.push(`${label}: expected ${expected.join('|')}, got ${outcome.error.code} (${outcome.error.message})`);
    }
    try {
      c.cleanup?.(outcome.result);
      assertIntact(label);
    } catch (error) {
      problems.push(error.message);
    }
  }
  assert.deepEqual(problems, [], `${problems.length} of ${cases.length} cases misbehaved`);
  return cases.length;
}

/** Runs `f` on a throwaway object and frees whatever it returned. */
const disposing = (result) => {
  if (result && typeof result.dispose === 'function') result.dispose();
};

before(async () => {
  await loadRecwasm();
  data = demoDataset();
  split = leaveOneOut(data, { seed: 42 });
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    model.fit(split.train);
    models.set(kind, model);
  }
  states = captureState();
});

after(() => {
  for (const m of models.values()) m.dispose();
  split.dispose();
  data.dispose();
});

// ---- data ---------------------------------------------------------------------------------

test('Dataset.fromArrays rejects malformed columns', () => {
  const ok = { users: [1, 2, 2], items: [10, 10, 20], ratings: [4, 3, 5] };
  const cases = [];
  for (const arrays of [undefined, null, 'abc', 42, true, []]) {
    cases.push({ name: `arrays=${show(arrays)}`, run: () => Dataset.fromArrays(arrays), expect: INVALID });
  }
  for (const column of ['users', 'items', 'ratings', 'timestamps']) {
    for (const bad of NOT_ARRAYS) {
      // null leaves an optional column out, as undefined does.
      const expect = bad === null && (column === 'ratings' || column === 'timestamps') ? OK : INVALID;
      cases.push({ name: `${column}=${show(bad)}`, run: () => Dataset.fromArrays({ ...ok, [column]: bad }), expect });
    }
    cases.push({
      name: `${column} too short`,
      run: () => Dataset.fromArrays({ ...ok, [column]: [1, 2] }),
      expect: INVALID,
    });
    for (const bad of BAD_ID_ARRAYS) {
      const values = [1, 2, ...bad];
      const expect = column === 'ratings' && Number.isFinite(Number(bad[0])) && bad[0] !== null ? TYPED : INVALID;
      cases.push({
        name: `${column}=${show(values)}`,
        run: () => Dataset.fromArrays({ ...ok, [column]: values }),
        expect,
      });
    }
  }
  for (const bad of [...NOT_ARRAYS.slice(1), ...BAD_ID_ARRAYS]) {
    cases.push({
      name: `catalogue.items=${show(bad)}`,
      run: () => Dataset.fromArrays({ ...ok, catalogue: { items: bad } }),
      expect: INVALID,
    });
  }
  cases.push({ name: 'catalogue=42', run: () => Dataset.fromArrays({ ...ok, catalogue: 42 }), expect: [INVALID, OK] });
  cases.push({
    name: 'empty columns',
    run: () => Dataset.fromArrays({ users: [], items: [] }),
    expect: OK,
    check: (d) => assert.equal(d.rowCount, 0),
  });
  const big = 300_000;
  cases.push({
    name: `${big.toLocaleString('en-US')} rows, ids up to 2^53 - 1`,
    run: () =>
      Dataset.fromArrays({
        users: Float64Array.from({ length: big }, (_, i) => (i % 1000) * 9e12),
        items: Float64Array.from({ length: big }, (_, i) => 2 ** 53 - 1 - (i % 5000)),
      }),
    expect: OK,
    check: (d) => assert.deepEqual([d.userCount, d.itemCount, d.rowCount], [1000, 5000, big]),
  });
  for (const c of cases) c.cleanup = disposing;
  runMatrix('Dataset.fromArrays', cases);
});

test('setItemText and setSessions reject malformed input and keep the old values', () => {
  const target = Dataset.fromArrays({ users: [1, 1, 2], items: [10, 20, 20] });
  target.setItemText(['a b', 'c d']).setSessions([[10, 20]]);
  const before = fingerprintData(target);
  const cases = [];
  for (const bad of [undefined, ...NOT_ARRAYS, ['one'], ['a', 'b', 'c'], ['a', 2], ['a', null], [{}, 'b'], 'ab']) {
    cases.push({ name: `setItemText(${show(bad)})`, run: () => target.setItemText(bad), expect: INVALID });
  }
  cases.push({
    name: 'setItemText of 1 MB strings',
    run: () => target.setItemText(['x '.repeat(5e5), 'y']),
    expect: OK,
  });
  for (const bad of [
    undefined,
    ...NOT_ARRAYS,
    [10, 20],
    [[30]],
    [[10], 'x'],
    [[NaN]],
    [[1.5]],
    [[10, 2 ** 60]],
    [null],
  ]) {
    cases.push({ name: `setSessions(${show(bad)})`, run: () => target.setSessions(bad), expect: INVALID });
  }
  for (const c of cases) {
    c.cleanup = () => {
      if (c.expect === OK) target.setItemText(['a b', 'c d']);
      assert.equal(fingerprintData(target), before, `${c.name} changed the dataset`);
    };
  }
  try {
    runMatrix('Dataset text and sessions', cases);
  } finally {
    target.dispose();
  }
});

test('demoDataset and leaveOneOut reject bad parameters', () => {
  const cases = [];
  for (const bad of [null, 'abc', 42]) {
    cases.push({ name: `demoDataset(${show(bad)})`, run: () => demoDataset(bad), expect: INVALID });
  }
  for (const key of ['users', 'items', 'categories', 'ratingsPerUser', 'sessionLength', 'seed']) {
    // Seeds are unsigned 32-bit (numpy's RandomState); the counts are signed 32-bit.
    for (const bad of [
      ...NOT_NUMBERS.filter((v) => v !== null),
      ...BAD_NUMBERS,
      -1,
      key === 'seed' ? 2 ** 32 : 2 ** 31,
    ]) {
      cases.push({
        name: `demoDataset({${key}: ${show(bad)}})`,
        run: () => demoDataset({ [key]: bad }),
        expect: INVALID,
      });
    }
  }
  cases.push({ name: 'demoDataset({categories: 0})', run: () => demoDataset({ categories: 0 }), expect: INVALID });
  cases.push({ name: 'demoDataset({categories: 7})', run: () => demoDataset({ categories: 7 }), expect: INVALID });
  cases.push({ name: 'demoDataset({items: 0})', run: () => demoDataset({ items: 0 }), expect: INVALID });
  cases.push({ name: 'demoDataset({users: 1e9})', run: () => demoDataset({ users: 1e9 }), expect: INVALID });
  cases.push({ name: 'demoDataset({usres: 5}) (a typo)', run: () => demoDataset({ usres: 5 }), expect: INVALID });
  cases.push({
    name: 'demoDataset({users: 0})',
    run: () => demoDataset({ users: 0 }),
    expect: OK,
    check: (d) => assert.equal(d.rowCount, 0),
  });
  for (const bad of [undefined, null, 'abc', 42, {}, { rawHandle: 1 }, models.values().next().value]) {
    cases.push({ name: `leaveOneOut(${show(bad)})`, run: () => leaveOneOut(bad), expect: INVALID });
  }
  for (const bad of [null, 'abc', 42]) {
    cases.push({ name: `leaveOneOut(data, ${show(bad)})`, run: () => leaveOneOut(data, bad), expect: INVALID });
  }
  for (const bad of [...NOT_NUMBERS.filter((v) => v !== null), ...BAD_NUMBERS, -1, 2 ** 32]) {
    cases.push({
      name: `leaveOneOut(data, {seed: ${show(bad)}})`,
      run: () => leaveOneOut(data, { seed: bad }),
      expect: INVALID,
    });
  }
  const disposed = demoDataset();
  disposed.dispose();
  cases.push({ name: 'leaveOneOut(disposed)', run: () => leaveOneOut(disposed), expect: 'DISPOSED' });
  for (const c of cases) c.cleanup = disposing;
  runMatrix('generator and split', cases);
});

// ---- models -------------------------------------------------------------------------------

test('Model.create rejects unknown kinds and bad options of every kind', () => {
  const cases = [];
  for (const kind of [undefined, null, '', 'nope', 'POPULARITY', 42, {}, ['popularity']]) {
    cases.push({ name: `kind=${show(kind)}`, run: () => Model.create(kind), expect: INVALID });
  }
  for (const kind of Model.kinds()) {
    for (const options of [null, 'abc', 42, true, [1]]) {
      cases.push({ name: `${kind} options=${show(options)}`, run: () => Model.create(kind, options), expect: INVALID });
    }
    cases.push({
      name: `${kind} {notAnOption: 1}`,
      run: () => Model.create(kind, { notAnOption: 1 }),
      expect: INVALID,
    });
    const defaults = models.get(kind).info().options;
    for (const [key, value] of Object.entries(defaults)) {
      const wrongType =
        typeof value === 'number'
          ? ['abc', true, null, {}, [], NaN, Infinity, -Infinity]
          : typeof value === 'boolean'
            ? [1, 0, 'true', null, {}]
            : [1, true, null, {}, 'certainly-not-a-choice'];
      for (const bad of wrongType) {
        cases.push({
          name: `${kind} {${key}: ${show(bad)}}`,
          run: () => Model.create(kind, { [key]: bad }),
          expect: INVALID,
        });
      }
      if (typeof value === 'number') {
        // Extremes a domain may or may not allow: never anything but a typed refusal.
        for (const extreme of [-1, -1e308, 1e308, 0.5, 2 ** 31]) {
          cases.push({
            name: `${kind} {${key}: ${show(extreme)}}`,
            run: () => Model.create(kind, { [key]: extreme }),
            expect: TYPED,
          });
        }
      }
    }
  }
  for (const c of cases) c.cleanup = disposing;
  runMatrix('Model.create', cases);
});

test('fit rejects non-datasets and keeps the previous model serving', () => {
  const disposed = demoDataset();
  disposed.dispose();
  const empty = Dataset.fromArrays({ users: [], items: [] });
  const foreign = Dataset.fromArrays({ users: [7, 8], items: [100, 200], ratings: [1, 2] });
  const cases = [];
  for (const [kind, model] of models) {
    for (const bad of [undefined, null, 'abc', 42, {}, { rawHandle: null }, model]) {
      cases.push({ name: `${kind}.fit(${show(bad)})`, run: () => model.fit(bad), expect: INVALID });
    }
    cases.push({ name: `${kind}.fit(disposed)`, run: () => model.fit(disposed), expect: 'DISPOSED' });
    for (const bad of [0, -1, NaN, 'abc', 2 ** 31]) {
      cases.push({
        name: `${kind}.fit(data, {batchesPerSlice: ${show(bad)}})`,
        run: () => model.fit(split.train, { batchesPerSlice: bad }),
        expect: INVALID,
      });
    }
    cases.push({
      name: `${kind}.fit(data, {onProgress: 42})`,
      run: () => model.fit(split.train, { onProgress: 42 }),
      expect: INVALID,
    });
    cases.push({
      name: `${kind}.fit cancelled by onProgress`,
      run: () => model.fit(split.train, { onProgress: () => false }),
      expect: [OK, 'CANCELLED'],
    });
    // A fresh model of the same kind on odd data: a typed answer either way.
    for (const [label, d] of [
      ['empty', empty],
      ['a foreign catalogue', foreign],
    ]) {
      cases.push({
        name: `${kind} fitted on ${label} data`,
        run: () => {
          const fresh = Model.create(kind);
          try {
            fresh.fit(d);
            return fresh.recommend(fresh.userIds()[0] ?? 0, { k: 5 });
          } finally {
            fresh.dispose();
          }
        },
        expect: [TYPED],
      });
    }
  }
  try {
    runMatrix('fit', cases);
  } finally {
    empty.dispose();
    foreign.dispose();
  }
});

test('recommend, score, similarItems and explain reject bad requests', () => {
  const cases = [];
  const items = data.itemCount;
  for (const [kind, model] of models) {
    const badUsers = [...NOT_NUMBERS.filter((v) => v !== null), ...BAD_NUMBERS];
    for (const user of badUsers) {
      cases.push({ name: `${kind}.recommend(${show(user)})`, run: () => model.recommend(user), expect: INVALID });
      cases.push({ name: `${kind}.score(${show(user)})`, run: () => model.score(user), expect: INVALID });
    }
    for (const user of [-1, 30, 2 ** 40]) {
      cases.push({
        name: `${kind}.recommend(${user}) (unknown)`,
        run: () => model.recommend(user),
        expect: 'UNKNOWN_USER',
      });
      cases.push({ name: `${kind}.score(${user}) (unknown)`, run: () => model.score(user), expect: 'UNKNOWN_USER' });
    }
    cases.push({
      name: `${kind}.recommend(null) without a history`,
      run: () => model.recommend(null),
      expect: 'UNKNOWN_USER',
    });
    for (const options of [null, 'abc', 42, true]) {
      cases.push({
        name: `${kind}.recommend(2, ${show(options)})`,
        run: () => model.recommend(2, options),
        expect: INVALID,
      });
    }
    for (const k of [0, -1, ...NOT_NUMBERS.filter((v) => v !== null), ...BAD_NUMBERS, 2 ** 31]) {
      cases.push({
        name: `${kind}.recommend(2, {k: ${show(k)}})`,
        run: () => model.recommend(2, { k }),
        expect: INVALID,
      });
    }
    for (const key of ['exclude', 'allow', 'history', 'historyValues']) {
      for (const bad of [
        ...NOT_ARRAYS.slice(1),
        ...BAD_ID_ARRAYS.filter((b) => key !== 'historyValues' || !Number.isFinite(b[0])),
      ]) {
        const options = {
          [key]: bad,
          ...(key === 'historyValues' ? { history: [1, 2, 3].slice(0, bad.length ?? 1) } : {}),
        };
        cases.push({
          name: `${kind}.recommend(2, {${key}: ${show(bad)}})`,
          run: () => model.recommend(2, options),
          expect: INVALID,
        });
      }
    }
    cases.push({
      name: `${kind}.recommend(null, {history: [1, 2], historyValues: [1]})`,
      run: () => model.recommend(null, { history: [1, 2], historyValues: [1] }),
      expect: INVALID,
    });
    for (const bad of ['yes', 1, null, {}]) {
      cases.push({
        name: `${kind}.recommend(2, {excludeSeen: ${show(bad)}})`,
        run: () => model.recommend(2, { excludeSeen: bad }),
        expect: bad === null ? [OK, INVALID] : INVALID,
      });
    }
    // Extreme but valid requests answer normally.
    cases.push({
      name: `${kind}.recommend(2, {k: 2^31 - 1})`,
      run: () => model.recommend(2, { k: 2 ** 31 - 1 }),
      expect: OK,
      check: (r) => assert.ok(r.items.length <= items && new Set(r.items).size === r.items.length),
    });
    cases.push({
      name: `${kind}.recommend with 200,000 unknown exclude ids`,
      run: () => model.recommend(2, { exclude: Float64Array.from({ length: 2e5 }, (_, i) => 1e6 + i) }),
      expect: OK,
      check: (r) => assert.deepEqual(r, models.get(kind).recommend(2)),
    });
    cases.push({
      name: `${kind}.recommend(null, {history: 100,000 items})`,
      run: () => model.recommend(null, { history: Float64Array.from({ length: 1e5 }, (_, i) => i % items) }),
      expect: [OK, 'UNKNOWN_USER'],
    });
    cases.push({
      name: `${kind}.recommend(2, {allow: []})`,
      run: () => model.recommend(2, { allow: [] }),
      expect: OK,
      check: (r) => assert.deepEqual(r.items, []),
    });
    // scoreItems: the items are checked like the user (ids, then known ones); the model serves on.
    for (const bad of [...NOT_ARRAYS, ...BAD_ID_ARRAYS]) {
      cases.push({ name: `${kind}.scoreItems(2, ${show(bad)})`, run: () => model.scoreItems(2, bad), expect: INVALID });
    }
    for (const item of [-1, 60, 2 ** 40]) {
      cases.push({
        name: `${kind}.scoreItems(2, [1, ${item}]) (unknown)`,
        run: () => model.scoreItems(2, [1, item]),
        expect: 'UNKNOWN_ITEM',
      });
    }
    cases.push({
      name: `${kind}.scoreItems(30, [1]) (unknown user)`,
      run: () => model.scoreItems(30, [1]),
      expect: 'UNKNOWN_USER',
    });
    cases.push({
      name: `${kind}.scoreItems(2, [])`,
      run: () => model.scoreItems(2, []),
      expect: OK,
      check: (r) => assert.equal(r.length, 0),
    });
    // Item-space and explanation queries: bad arguments are refused before capability checks.
    for (const item of [...NOT_NUMBERS.filter((v) => v !== null), ...BAD_NUMBERS]) {
      cases.push({ name: `${kind}.similarItems(${show(item)})`, run: () => model.similarItems(item), expect: INVALID });
      cases.push({ name: `${kind}.explain(2, ${show(item)})`, run: () => model.explain(2, item), expect: INVALID });
    }
    for (const item of [-1, 60, 2 ** 40]) {
      cases.push({
        name: `${kind}.similarItems(${item}) (unknown)`,
        run: () => model.similarItems(item),
        expect: 'UNKNOWN_ITEM',
      });
      cases.push({
        name: `${kind}.explain(2, ${item}) (unknown)`,
        run: () => model.explain(2, item),
        expect: 'UNKNOWN_ITEM',
      });
    }
    for (const k of [0, -1, NaN, Infinity, 1.5, 'abc', 2 ** 31]) {
      cases.push({ name: `${kind}.similarItems(3, ${show(k)})`, run: () => model.similarItems(3, k), expect: INVALID });
      cases.push({
        name: `${kind}.explain(2, 3, {topN: ${show(k)}})`,
        run: () => model.explain(2, 3, { topN: k }),
        expect: INVALID,
      });
    }
    cases.push({ name: `${kind}.similarItems(3, null)`, run: () => model.similarItems(3, null), expect: INVALID });
    cases.push({ name: `${kind}.explain(2, 3, null)`, run: () => model.explain(2, 3, null), expect: INVALID });
    cases.push({
      name: `${kind}.explain(99, 3) (unknown user)`,
      run: () => model.explain(99, 3),
      expect: 'UNKNOWN_USER',
    });
  }
  runMatrix('serving', cases);
});

// ---- snapshots and evaluation --------------------------------------------------------------

/** IEEE CRC-32, written independently of the core's. */
function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** The same bytes with the version field set and the length and checksum made consistent. */
function reframed(bytes, version = null) {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (version !== null) view.setUint32(8, version, true);
  view.setBigUint64(12, BigInt(out.length - 24), true);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

test('save and load reject corrupt, truncated and future snapshots', () => {
  const cases = [];
  const unfitted = Model.create(Model.kinds()[0]);
  cases.push({ name: 'save() before fit', run: () => unfitted.save(), expect: 'NOT_FITTED' });
  for (const bad of [undefined, null, 'abc', 42, [82, 69, 67], new Uint16Array(40), {}]) {
    cases.push({ name: `Model.load(${show(bad)})`, run: () => Model.load(bad), expect: INVALID });
  }
  cases.push({ name: 'Model.load(empty)', run: () => Model.load(new Uint8Array(0)), expect: 'CORRUPT_SNAPSHOT' });
  cases.push({
    name: 'Model.load(ArrayBuffer of zeros)',
    run: () => Model.load(new ArrayBuffer(40)),
    expect: 'CORRUPT_SNAPSHOT',
  });
  cases.push({
    name: 'Model.load(8 MB of zeros)',
    run: () => Model.load(new Uint8Array(8 << 20)),
    expect: 'CORRUPT_SNAPSHOT',
  });
  for (const [kind, model] of models) {
    const bytes = model.save();
    cases.push({
      name: `${kind} round trip`,
      run: () => Model.load(bytes),
      expect: OK,
      check: (m) => assert.equal(fingerprintModel(m), states.models.get(kind)),
    });
    const cuts = new Set([1, 8, 12, 20, 24, 25, bytes.length >> 1, bytes.length - 5, bytes.length - 1]);
    for (const n of cuts) {
      cases.push({
        name: `${kind} truncated to ${n} bytes`,
        run: () => Model.load(bytes.subarray(0, n)),
        expect: 'CORRUPT_SNAPSHOT',
      });
    }
    cases.push({
      name: `${kind} with a trailing byte`,
      run: () => Model.load(Uint8Array.from([...bytes, 0])),
      expect: 'CORRUPT_SNAPSHOT',
    });
    for (const at of [0, 9, 13, 30, bytes.length >> 1, bytes.length - 2]) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x5a;
      cases.push({
        name: `${kind} with byte ${at} flipped`,
        run: () => Model.load(flipped),
        expect: 'CORRUPT_SNAPSHOT',
      });
    }
    cases.push({ name: `${kind} version 2`, run: () => Model.load(reframed(bytes, 2)), expect: 'UNSUPPORTED_VERSION' });
    cases.push({ name: `${kind} version 0`, run: () => Model.load(reframed(bytes, 0)), expect: 'CORRUPT_SNAPSHOT' });
    // Payload damage behind a valid frame: the decoders themselves must notice.
    for (const at of [28, 40, bytes.length >> 2, bytes.length >> 1, bytes.length - 12]) {
      for (const value of [0x00, 0xff, 0x7f]) {
        const damaged = bytes.slice();
        damaged[at] = value;
        cases.push({
          name: `${kind} payload byte ${at} = ${value} (valid frame)`,
          run: () => Model.load(reframed(damaged)),
          expect: [OK, 'CORRUPT_SNAPSHOT'],
          check: (m) => m.recommend(m.userIds()[0] ?? 0, { k: 5 }),
        });
      }
    }
    cases.push({
      name: `${kind} payload cut short (valid frame)`,
      run: () => Model.load(reframed(Uint8Array.from([...bytes.subarray(0, bytes.length - 40), 0, 0, 0, 0]))),
      expect: 'CORRUPT_SNAPSHOT',
    });
  }
  for (const c of cases) c.cleanup = disposing;
  try {
    runMatrix('snapshots', cases);
  } finally {
    unfitted.dispose();
  }
});

test('evaluate rejects bad models, data and k', () => {
  const unfitted = Model.create(Model.kinds()[0]);
  const other = demoDataset({ users: 5, items: 7 });
  const cases = [];
  const [, model] = models.entries().next().value;
  for (const bad of [undefined, null, 'abc', {}, data]) {
    cases.push({ name: `evaluate(${show(bad)}, test)`, run: () => evaluate(bad, split.test), expect: INVALID });
    cases.push({
      name: `evaluate(model, ${show(bad === data ? model : bad)})`,
      run: () => evaluate(model, bad === data ? model : bad),
      expect: INVALID,
    });
  }
  cases.push({ name: 'evaluate(model, test, null)', run: () => evaluate(model, split.test, null), expect: INVALID });
  for (const k of [0, -1, ...NOT_NUMBERS.filter((v) => v !== null), ...BAD_NUMBERS, 2 ** 31]) {
    cases.push({
      name: `evaluate(model, test, {k: ${show(k)}})`,
      run: () => evaluate(model, split.test, { k }),
      expect: INVALID,
    });
  }
  cases.push({ name: 'evaluate(unfitted, test)', run: () => evaluate(unfitted, split.test), expect: 'NOT_FITTED' });
  cases.push({ name: 'evaluate(model, another catalogue)', run: () => evaluate(model, other), expect: INVALID });
  for (const [kind, m] of models) {
    cases.push({
      name: `evaluate(${kind}, test, {k: 10000})`,
      run: () => evaluate(m, split.test, { k: 10000 }),
      expect: OK,
      check: (e) => assert.ok(e.users === 30 && e.recall >= 0 && e.recall <= 1 && !Number.isNaN(e.precision)),
    });
  }
  try {
    runMatrix('evaluate', cases);
  } finally {
    unfitted.dispose();
    other.dispose();
  }
});

test('disposed objects refuse every call with DISPOSED', () => {
  const d = demoDataset();
  const m = Model.create(Model.kinds()[0]);
  m.fit(d);
  d.dispose();
  m.dispose();
  const cases = [
    ['d.summary()', () => d.summary()],
    ['d.toArrays()', () => d.toArrays()],
    ['d.setItemText([])', () => d.setItemText([])],
    ['m.recommend(2)', () => m.recommend(2)],
    ['m.score(2)', () => m.score(2)],
    ['m.scoreItems(2, [1])', () => m.scoreItems(2, [1])],
    ['m.save()', () => m.save()],
    ['m.fit(data)', () => m.fit(data)],
    ['m.info()', () => m.info()],
    ['evaluate(m, test)', () => evaluate(m, split.test)],
  ].map(([name, run]) => ({ name, run, expect: 'DISPOSED' }));
  runMatrix('disposed', cases);
});
