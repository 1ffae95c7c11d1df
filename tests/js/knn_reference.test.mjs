// recwasm's user_knn and item_knn against the notebook's own UserKNNCF / ItemKNNCF, executed by
// Debian's numpy (tests/reference/knn_reference.py reads the classes from the seed notebook), on
// other seeds and sizes of the generator and on MovieLens: every prediction must be the same
// double and every top-10 list the same.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { Dataset, Model, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('../..', import.meta.url).pathname;
const script = `${root}tests/reference/knn_reference.py`;
const movielens = `${root}../shared/datasets/ml-latest-small/ratings.csv`;

before(async () => {
  await loadRecwasm();
});

function python(args) {
  const out = execFileSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out);
}

function flags(params) {
  return [
    '--users',
    params.users,
    '--items',
    params.items,
    '--categories',
    params.categories,
    '--ratings-per-user',
    params.ratingsPerUser,
    '--seed',
    params.seed,
  ].map(String);
}

// Shapes chosen so that sums run through every branch of numpy's summation: overlaps under 8,
// 8..128 and over 128 (users who share a category; items rated by hundreds), rows over 128 items.
const configs = [
  { users: 30, items: 60, categories: 6, ratingsPerUser: 12, seed: 7, models: ['user_knn', 'item_knn'] },
  { users: 30, items: 70, categories: 6, ratingsPerUser: 20, seed: 11, models: ['user_knn', 'item_knn'] },
  { users: 5, items: 260, categories: 2, ratingsPerUser: 250, seed: 3, models: ['user_knn', 'item_knn'] },
  { users: 400, items: 10, categories: 2, ratingsPerUser: 8, seed: 5, models: ['item_knn'], scoreUsers: 40 },
];

for (const config of configs) {
  test(`the notebook's code agrees on ${config.users} users x ${config.items} items, seed ${config.seed}`, () => {
    const args = ['demo', ...flags(config), '--models', config.models.join(',')];
    if (config.scoreUsers) args.push('--score-users', String(config.scoreUsers));
    const reference = python(args);
    const data = demoDataset({
      users: config.users,
      items: config.items,
      categories: config.categories,
      ratingsPerUser: config.ratingsPerUser,
      seed: config.seed,
    });
    const split = leaveOneOut(data, { seed: 42 });
    try {
      for (const kind of config.models) {
        const expected = reference.models[kind];
        const model = Model.create(kind);
        try {
          model.fit(split.train);
          expected.scores.forEach((row, user) => {
            const scores = model.score(user);
            assert.equal(scores.length, row.length);
            row.forEach((value, item) => {
              if (scores[item] !== value) {
                assert.fail(`${kind} user ${user} item ${item}: notebook ${value}, recwasm ${scores[item]}`);
              }
            });
          });
          const e = evaluate(model, split.test, { k: 10, keepRecommendations: true });
          for (const [user, items] of Object.entries(expected.recs)) {
            assert.deepEqual(e.recommendations.get(Number(user)).items, items, `${kind} user ${user}`);
          }
          // The lists are identical, so the means agree up to the order of averaging.
          assert.ok(Math.abs(e.precision - expected.precision) < 1e-12);
          assert.ok(Math.abs(e.recall - expected.recall) < 1e-12);
        } finally {
          model.dispose();
        }
      }
    } finally {
      split.dispose();
      data.dispose();
    }
  });
}

test('the notebook code agrees on MovieLens predictions', { skip: !existsSync(movielens) && 'no MovieLens' }, () => {
  const lines = readFileSync(movielens, 'utf8').trim().split('\n').slice(1);
  const users = new Float64Array(lines.length);
  const items = new Float64Array(lines.length);
  const ratings = new Float64Array(lines.length);
  lines.forEach((line, k) => {
    const [u, i, r] = line.split(',');
    users[k] = Number(u);
    items[k] = Number(i);
    ratings[k] = Number(r);
  });
  const data = Dataset.fromArrays({ users, items, ratings });
  try {
    // Light and heavy users (dense ids), popular and rare movies; rated pairs test the shortcut.
    const pairs = [];
    for (const u of [0, 66, 413, 473, 598]) for (const i of [0, 314, 2000, 7000]) pairs.push([u, i]);
    const reference = python(['ratings', '--ratings', movielens, '--pairs', pairs.map((p) => p.join(':')).join(',')]);
    const userIds = data.userIds();
    for (const kind of ['user_knn', 'item_knn']) {
      const model = Model.create(kind);
      try {
        model.fit(data);
        pairs.forEach(([u, i], k) => {
          const got = model.score(userIds[u])[i];
          assert.equal(got, reference[kind][k], `${kind} user ${u} item ${i}`);
        });
      } finally {
        model.dispose();
      }
    }
  } finally {
    data.dispose();
  }
});
