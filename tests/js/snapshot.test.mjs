// Snapshots: every model's snapshot survives the trip native -> wasm and wasm -> native with the
// same recommendations, and every kind of damage is refused with the documented code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Model, RecwasmError, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('../..', import.meta.url).pathname;
const tool = join(root, 'build/native/recwasm-snapshot');
const HEADER = 20; // magic 8, version 4, payload length 8
const TRAILER = 4; // CRC-32

let dir;
let data;
let split;
before(async () => {
  await loadRecwasm();
  dir = mkdtempSync(join(tmpdir(), 'recwasm-snapshots-'));
  data = demoDataset();
  split = leaveOneOut(data, { seed: 42 });
});
after(() => {
  split.dispose();
  data.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const isCode = (code) => (e) => e instanceof RecwasmError && e.code === code;

function nativeRecommendations(file) {
  return JSON.parse(execFileSync(tool, ['recommend', '--snapshot', file, '--k', '10'], { encoding: 'utf8' }));
}

function wasmRecommendations(model) {
  const recs = {};
  for (const user of model.userIds()) recs[String(user)] = model.recommend(user, { k: 10 });
  return recs;
}

// Same items in the same order; scores equal up to the last bits, which may differ where the
// native and wasm builds vectorise a sum differently.
function assertSameRecommendations(actual, expected, what) {
  assert.deepEqual(Object.keys(actual), Object.keys(expected), what);
  for (const [user, recs] of Object.entries(expected)) {
    assert.deepEqual(actual[user].items, recs.items, `${what}, user ${user}`);
    recs.scores.forEach((score, i) => {
      const got = actual[user].scores[i];
      assert.ok(
        Math.abs(got - score) <= 1e-12 * Math.max(1, Math.abs(score)),
        `${what}, user ${user}: ${got} vs ${score}`,
      );
    });
  }
}

test('a snapshot saved natively loads in wasm with the same recommendations, for every model', () => {
  for (const kind of Model.kinds()) {
    const file = join(dir, `${kind}.native.snapshot`);
    execFileSync(tool, ['save', '--model', kind, '--out', file]);
    const native = nativeRecommendations(file);
    assert.equal(native.kind, kind);
    assert.equal(Object.keys(native.recs).length, 30);
    const model = Model.load(readFileSync(file));
    try {
      assert.equal(model.kind, kind);
      assertSameRecommendations(wasmRecommendations(model), native.recs, `${kind} native -> wasm`);
    } finally {
      model.dispose();
    }
  }
});

test('a snapshot saved in wasm loads natively with the same recommendations, for every model', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    try {
      model.fit(split.train);
      const file = join(dir, `${kind}.wasm.snapshot`);
      writeFileSync(file, model.save());
      const native = nativeRecommendations(file);
      assert.equal(native.kind, kind);
      assertSameRecommendations(wasmRecommendations(model), native.recs, `${kind} wasm -> native`);
    } finally {
      model.dispose();
    }
  }
});

test('save -> load round-trips everything a model answers', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    try {
      model.fit(split.train);
      const loaded = Model.load(model.save());
      try {
        assert.deepEqual(loaded.info(), model.info());
        assert.deepEqual(loaded.save(), model.save(), `${kind}: saving a loaded model gives the same bytes`);
        for (const user of model.userIds()) {
          assert.deepEqual(loaded.score(user), model.score(user), `${kind} user ${user}`);
        }
        assert.deepEqual(loaded.itemIds(), model.itemIds());
      } finally {
        loaded.dispose();
      }
      // An ArrayBuffer does as well as a Uint8Array.
      const copy = model.save();
      Model.load(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength)).dispose();
    } finally {
      model.dispose();
    }
  }
});

/** The snapshot with its framing (length, CRC) made valid again after an edit of the payload. */
function reframe(bytes, { version } = {}) {
  const out = bytes.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (version !== undefined) view.setUint32(8, version, true);
  view.setBigUint64(12, BigInt(out.length - HEADER - TRAILER), true);
  view.setUint32(out.length - TRAILER, crc32(out.subarray(0, out.length - TRAILER)), true);
  return out;
}

function withPayload(bytes, payload) {
  const out = new Uint8Array(HEADER + payload.length + TRAILER);
  out.set(bytes.subarray(0, HEADER));
  out.set(payload, HEADER);
  return reframe(out);
}

// An independent CRC-32 (IEEE, reflected, as zlib's).
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const spread = (n, count) => [...new Set(Array.from({ length: count }, (_, i) => Math.floor((i * n) / count)))];

test('our CRC-32 is the one the snapshots carry', () => {
  const model = Model.create('popularity');
  model.fit(split.train);
  const bytes = model.save();
  model.dispose();
  assert.deepEqual(reframe(bytes), bytes);
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('truncated snapshots throw CORRUPT_SNAPSHOT', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    model.fit(split.train);
    const bytes = model.save();
    model.dispose();
    const lengths = [...Array.from({ length: 64 }, (_, i) => i), ...spread(bytes.length, 200)];
    for (const length of lengths) {
      assert.throws(
        () => Model.load(bytes.subarray(0, length)),
        isCode('CORRUPT_SNAPSHOT'),
        `${kind}: ${length} bytes`,
      );
    }
    // Cut inside the payload with the framing repaired: the model's own decoder must notice.
    const payload = bytes.subarray(HEADER, bytes.length - TRAILER);
    for (const length of spread(payload.length, 100)) {
      assert.throws(
        () => Model.load(withPayload(bytes, payload.subarray(0, length))),
        isCode('CORRUPT_SNAPSHOT'),
        `${kind}: payload cut to ${length} of ${payload.length} bytes`,
      );
    }
    // Bytes after the model state are refused too.
    const padded = new Uint8Array(payload.length + 3);
    padded.set(payload);
    assert.throws(() => Model.load(withPayload(bytes, padded)), isCode('CORRUPT_SNAPSHOT'), `${kind}: padded`);
    // And appended bytes outside the frame.
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => Model.load(longer), isCode('CORRUPT_SNAPSHOT'), `${kind}: one byte appended`);
  }
});

test('bit-flipped snapshots throw CORRUPT_SNAPSHOT, wherever the bit is', () => {
  for (const kind of Model.kinds()) {
    const model = Model.create(kind);
    model.fit(split.train);
    const bytes = model.save();
    model.dispose();
    const positions = [...Array.from({ length: HEADER + 8 }, (_, i) => i), ...spread(bytes.length, 300)];
    positions.push(...Array.from({ length: TRAILER }, (_, i) => bytes.length - 1 - i));
    for (const position of positions) {
      const flipped = bytes.slice();
      flipped[position] ^= 1 << (position % 8);
      assert.throws(() => Model.load(flipped), isCode('CORRUPT_SNAPSHOT'), `${kind}: bit flipped at byte ${position}`);
    }
  }
});

test('snapshots from a newer format throw UNSUPPORTED_VERSION; version 0 is corrupt', () => {
  const model = Model.create('popularity');
  model.fit(split.train);
  const bytes = model.save();
  model.dispose();
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  assert.equal(version, 1);
  for (const newer of [version + 1, 1000, 0xffffffff]) {
    assert.throws(
      () => Model.load(reframe(bytes, { version: newer })),
      (e) => {
        assert.ok(isCode('UNSUPPORTED_VERSION')(e));
        assert.match(e.message, new RegExp(String(newer)));
        return true;
      },
    );
  }
  assert.throws(() => Model.load(reframe(bytes, { version: 0 })), isCode('CORRUPT_SNAPSHOT'));
  Model.load(reframe(bytes, { version })).dispose();
});

test('random bytes, foreign files and garbage payloads throw CORRUPT_SNAPSHOT', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const model = Model.create('popularity');
  model.fit(split.train);
  const bytes = model.save();
  model.dispose();
  for (const length of [0, 1, 23, 24, 25, 100, 5000]) {
    const noise = Uint8Array.from({ length }, random);
    assert.throws(() => Model.load(noise), isCode('CORRUPT_SNAPSHOT'), `${length} random bytes`);
    assert.throws(() => Model.load(withPayload(bytes, noise)), isCode('CORRUPT_SNAPSHOT'), `${length}-byte payload`);
  }
  assert.throws(
    () => Model.load(new TextEncoder().encode('userId,movieId,rating\n1,2,3\n')),
    isCode('CORRUPT_SNAPSHOT'),
  );
});
