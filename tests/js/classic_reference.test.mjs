// content_tfidf and covisitation checked against an independent computation: scikit-learn and
// plain Python (tests/reference/classic_reference.py, run with Debian's /usr/bin/python3), on
// other seeds and sizes of the notebook's data and on MovieLens text. Nothing here is skipped:
// a missing Python or scikit-learn fails the test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { Dataset, Model, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('../..', import.meta.url).pathname;
const script = `${root}tests/reference/classic_reference.py`;
const movieLensDir = `${root}../shared/datasets/ml-latest-small`;

/** MovieLens through the package's loader (item text: title, genres, tags). */
const movieLensDataset = () =>
  Dataset.fromMovieLens({
    ratings: readFileSync(`${movieLensDir}/ratings.csv`),
    movies: readFileSync(`${movieLensDir}/movies.csv`),
    tags: readFileSync(`${movieLensDir}/tags.csv`),
  });

before(async () => {
  await loadRecwasm();
});

function reference(request) {
  const run = spawnSync('/usr/bin/python3', [script], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(run.error, undefined, `cannot run ${script}: ${run.error}`);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

/** Same items in the same order with the same scores (co-visitation counts are exact). */
function assertSameList(ours, theirs, what) {
  assert.deepEqual(ours.items, theirs.items, `${what}: items`);
  assert.deepEqual(ours.scores, theirs.scores, `${what}: scores`);
}

/**
 * Cosine rankings: `theirs` holds more entries than `ours` asked for. Scores must agree up to
 * rounding, and within a group of near-equal reference scores (equal in exact arithmetic, apart
 * in the last bits) the items may come in any order, or be cut at k differently.
 */
function assertSameRanking(ours, theirs, k, what) {
  assert.equal(ours.items.length, Math.min(k, theirs.items.length), `${what}: length`);
  let i = 0;
  while (i < ours.items.length) {
    let j = i + 1;
    while (j < theirs.items.length && close(theirs.scores[j], theirs.scores[i])) j++;
    const group = new Set(theirs.items.slice(i, j));
    const end = Math.min(j, ours.items.length);
    for (let p = i; p < end; p++) {
      assert.ok(group.has(ours.items[p]), `${what}: item ${ours.items[p]} at ${p}, expected one of ${[...group]}`);
      assert.ok(
        close(ours.scores[p], theirs.scores[p]),
        `${what}: score ${p} ${ours.scores[p]} vs ${theirs.scores[p]}`,
      );
    }
    i = end;
  }
}

const variants = [
  ['content_mean', 'content_tfidf', {}],
  ['content_rating', 'content_tfidf', { profile: 'rating' }],
  ['content_centered', 'content_tfidf', { profile: 'centered' }],
  ['covisitation', 'covisitation', {}],
  ['covisitation_pad', 'covisitation', { pad_with_popularity: true }],
];

const demoCases = [
  { seed: 0 },
  { seed: 7 },
  { seed: 123 },
  { seed: 2024 },
  { seed: 5, users: 50, items: 100, categories: 5, ratingsPerUser: 15, sessionLength: 10 },
  { seed: 11, users: 12, items: 18, categories: 3, ratingsPerUser: 6, sessionLength: 4 },
];

for (const params of demoCases) {
  test(`content_tfidf and covisitation match the reference on demo data ${JSON.stringify(params)}`, () => {
    const data = demoDataset(params);
    const split = leaveOneOut(data, { seed: 42 });
    try {
      const rows = split.train.toArrays();
      const train = Array.from(rows.users, (u, r) => [u, rows.items[r], rows.ratings[r]]);
      const users = data.userCount;
      const expected = reference({
        task: 'split',
        k: 10,
        users,
        text: data.itemText(),
        sessions: data.sessions().map((s) => Array.from(s)),
        train,
      });
      for (const [name, kind, options] of variants) {
        const model = Model.create(kind, options);
        try {
          model.fit(split.train);
          for (let u = 0; u < users; u++) {
            const ours = model.recommend(u, { k: 10 });
            if (kind === 'covisitation') assertSameList(ours, expected[name][u], `${name} user ${u}`);
            else assertSameRanking(ours, expected[name][u], 10, `${name} user ${u}`);
          }
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

const movieIds = [1, 29, 73, 260, 284, 293, 296, 318, 356, 649, 680, 741, 790, 2571, 4973, 4993, 79132];
const userIds = [1, 2, 3, 50, 100, 200, 414, 599, 610];

for (const maxFeatures of [0, 5000]) {
  test(`content_tfidf matches scikit-learn on MovieLens text (max_features ${maxFeatures})`, () => {
    const data = movieLensDataset();
    const model = Model.create('content_tfidf', { max_features: maxFeatures });
    try {
      const expected = reference({
        task: 'movielens',
        dir: movieLensDir,
        k: 10,
        items: movieIds,
        users: userIds,
        max_features: maxFeatures,
      });
      assert.equal(data.itemCount, expected.items);
      model.fit(data);
      for (const id of movieIds) {
        assertSameRanking(model.similarItems(id, 10), expected.similar[id], 10, `similar to movie ${id}`);
      }
      for (const id of userIds) {
        assertSameRanking(model.recommend(id, { k: 10 }), expected.recommendations[id], 10, `user ${id}`);
      }
    } finally {
      model.dispose();
      data.dispose();
    }
  });
}
