// The `recwasm` command as users run it: `node dist/cli.js ...` in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const movielens = join(root, '..', 'shared', 'datasets', 'ml-latest-small');

function recwasm(...args) {
  const out = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

function recwasmJson(...args) {
  const out = recwasm(...args, '--json');
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout);
}

function expectUsageError(args, pattern) {
  const out = recwasm(...args);
  assert.equal(out.code, 2, `exit code of ${args.join(' ')}`);
  assert.equal(out.stdout, '');
  const lines = out.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one stderr line, got: ${out.stderr}`);
  assert.match(lines[0], pattern);
}

const tmp = mkdtempSync(join(tmpdir(), 'recwasm-cli-'));
const file = (name, text) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

test('--help lists the commands', () => {
  const out = recwasm('--help');
  assert.equal(out.code, 0);
  for (const command of ['generate', 'split', 'evaluate']) assert.match(out.stdout, new RegExp(`^  ${command} `, 'm'));
  const help = recwasm('evaluate', '--help');
  assert.equal(help.code, 0);
  for (const flag of ['--ratings', '--movies', '--tags', '--session-gap', '--split', '--train-seed', '--recs']) {
    assert.ok(help.stdout.includes(flag), `evaluate --help mentions ${flag}`);
  }
});

test('bad input prints one line on stderr and exits 2', () => {
  expectUsageError(['generate', '--bogus'], /^recwasm: unknown flag --bogus$/);
  expectUsageError(['frobnicate'], /unknown command 'frobnicate'/);
  expectUsageError(['generate', '--users', 'many'], /--users must be an integer/);
  expectUsageError(['generate', '--categories', '7'], /^recwasm: INVALID_ARGUMENT: categories must be between 1 and 6/);
  expectUsageError(['generate', '--seed', '4294967296'], /--seed must be an integer between 0 and 4294967295/);
  expectUsageError(['split', '--split', 'sideways'], /--split must be one of leave-one-out, last-by-time, ratio/);
  expectUsageError(['split', '--split', 'last-by-time'], /needs interactions with timestamps/);
  expectUsageError(['split', '--split', 'ratio', '--test-fraction', '0'], /strictly between 0 and 1/);
  expectUsageError(['split', '--movies', 'movies.csv'], /--movies needs --ratings/);
  expectUsageError(['evaluate', '--ratings', join(tmp, 'missing.csv')], /cannot read --ratings file .*ENOENT/);
  const bad = file('bad.csv', 'userId,movieId,rating,timestamp\n1,2,4.0,5\n1,3,NaN,6\n');
  expectUsageError(
    ['split', '--ratings', bad],
    new RegExp(`^recwasm: PARSE_ERROR: ${bad} line 3: rating 'NaN' is not`),
  );
  expectUsageError(['evaluate', '--ratings', bad, '--seed', '1'], /cannot be combined with --ratings/);
});

test("generate --json reproduces the notebook's ratings_df.head(10) and items_df.head(10)", () => {
  const data = recwasmJson('generate');
  assert.equal(data.ratings.length, 358);
  assert.equal(data.sessions.length, 30);
  assert.equal(data.items.length, 60);
  assert.deepEqual(
    data.ratings.slice(0, 10),
    [39, 32, 47, 24, 40, 59, 7, 0, 38, 50].map((item, i) => ({
      user_id: 0,
      item_id: item,
      rating: [4.4, 5.0, 2.6, 2.4, 3.2, 4.9, 2.9, 4.2, 5.0, 3.6][i],
    })),
  );
  const categories = [3, 4, 2, 4, 4, 1, 2, 2, 2, 4];
  const descriptions = [
    'smile joke awkward comedy ridiculous',
    'fear scary haunted monster ghost',
    'technology experiment cyber alien spaceship',
    'scream haunted evil dark ghost',
    'blood dark scary curse evil',
    'wedding relationship love emotion heart',
    'experiment scifi robot space spaceship',
    'cyber planet scifi galaxy space',
    'technology time space galaxy future',
    'haunted fear scream nightmare blood',
  ];
  data.items.slice(0, 10).forEach((item, i) => {
    assert.equal(item.item_id, i);
    assert.equal(item.title, `Item_0${i}_Category_0${categories[i]}`);
    assert.equal(item.category, categories[i]);
    assert.equal(item.description, descriptions[i]);
  });
  assert.equal(data.items[2].category_name, 'Sci-Fi');
  assert.ok(data.sessions.every((s) => s.length === 8));
});

test('split --json gives the notebook 328 train and 30 test rows', () => {
  const split = recwasmJson('split');
  assert.equal(split.train.length, 328);
  assert.equal(split.test.length, 30);
  assert.deepEqual(Object.keys(split.test[0]), ['user_id', 'item_id', 'rating']);
  assert.deepEqual(
    split.test.map((r) => r.user_id),
    Array.from({ length: 30 }, (_, u) => u),
  );
  const table = recwasm('split');
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^328 train rows, 30 test rows$/m);
});

test('readable tables without --json', () => {
  const out = recwasm('generate');
  assert.equal(out.code, 0);
  assert.match(out.stdout, /^358 ratings, 30 sessions, 60 items \(seed 42\)$/m);
  assert.match(out.stdout, /^0 +39 +4\.4$/m);
  assert.match(out.stdout, /^0 +32 +5\.0$/m);
  assert.match(out.stdout, /^0 +Item_00_Category_03 +3 +Comedy +smile joke awkward comedy ridiculous$/m);
});

test('evaluate reads MovieLens files and supports every split', () => {
  const ratings = file(
    'ratings.csv',
    'userId,movieId,rating,timestamp\r\n1,10,4.0,100\r\n1,20,3.0,200\r\n1,30,5.0,300\r\n2,10,2.0,100\r\n2,40,4.5,50\r\n',
  );
  const movies = file('movies.csv', 'movieId,title,genres\n10,"Ten, The",Drama\n50,Fifty,Comedy\n');
  const tags = file('tags.csv', 'userId,movieId,tag,timestamp\n1,50,funny,1\n');
  for (const split of ['leave-one-out', 'last-by-time', 'ratio']) {
    const result = recwasmJson(
      'evaluate',
      '--ratings',
      ratings,
      '--movies',
      movies,
      '--tags',
      tags,
      '--session-gap',
      '60',
      '--split',
      split,
      '--models',
      'popularity',
      '--recs',
    );
    assert.equal(result.k, 10);
    assert.equal(result.models.length, 1);
    const model = result.models[0];
    assert.equal(model.name, 'popularity');
    for (const key of ['precision', 'recall', 'ndcg', 'hit_rate', 'mrr', 'map', 'coverage', 'fit_ms', 'eval_ms']) {
      assert.equal(typeof model[key], 'number', `${split}: ${key}`);
    }
    assert.ok(model.recs['1'] && Array.isArray(model.recs['1'].items));
  }
  // last-by-time: user 1's test row is movie 30 (time 300), user 2's is movie 10 (time 100).
  const split = recwasmJson('split', '--ratings', ratings, '--split', 'last-by-time');
  assert.deepEqual(
    split.test.map((r) => [r.user_id, r.item_id, r.timestamp]),
    [
      [1, 30, 300],
      [2, 10, 100],
    ],
  );
  assert.deepEqual(
    split.train.map((r) => r.item_id),
    [10, 20, 40],
  );
});

test('evaluate on ml-latest-small with movies and tags', { timeout: 120_000 }, () => {
  const result = recwasmJson(
    'evaluate',
    '--ratings',
    join(movielens, 'ratings.csv'),
    '--movies',
    join(movielens, 'movies.csv'),
    '--tags',
    join(movielens, 'tags.csv'),
    '--models',
    'popularity',
  );
  const model = result.models[0];
  assert.ok(model.recall > 0 && model.recall <= 1);
  assert.ok(model.coverage > 0 && model.coverage < 1);
});

test('evaluate --variants puts each better variant right after its notebook row', () => {
  const { models } = recwasmJson('evaluate', '--models', 'content_tfidf,mf', '--variants');
  const names = models.map((m) => m.name);
  assert.deepEqual(names, ['content_tfidf', 'content_tfidf:rating', 'mf', 'mf:sgd', 'mf:implicit']);
  // The notebook row is unchanged by the variants around it.
  assert.equal(models[0].recall, 0.8);
  const single = recwasmJson('evaluate', '--models', 'mf:sgd').models;
  assert.deepEqual(
    single.map((m) => [m.name, m.recall]),
    [['mf:sgd', models[3].recall]],
  );
  expectUsageError(['evaluate', '--models', 'mf:nope'], /unknown model 'mf:nope'/);
});
