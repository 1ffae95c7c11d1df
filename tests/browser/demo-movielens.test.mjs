// Dropping MovieLens files: the page trains every model on them and shows metrics, titles and
// genres. Popularity's figures are checked against pandas running the notebook's protocol.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Model, loadRecwasm } from 'recwasm';
import { openDemo, readMetrics, readProgress, readRecommendations, waitForRun } from './harness.mjs';
import { writeMovieLensSample } from './movielens-sample.mjs';

// The notebook's split (per user, pandas sample(frac=1, random_state=42), last row to test) and
// popularity (train counts, ties to the lower movieId, seen items left out), in pandas.
const PANDAS_POPULARITY = `
import json, sys
import pandas as pd
ratings = pd.read_csv(sys.argv[1])
movies = pd.read_csv(sys.argv[2])
train, test = [], []
for _, group in ratings.groupby("userId"):
    group = group.sample(frac=1.0, random_state=42)
    test.append(group.iloc[-1])
    train.append(group.iloc[:-1])
train = pd.concat(train)
counts = train["movieId"].value_counts()
ranked = sorted(counts.index, key=lambda m: (-counts[m], m))
precision, recall = [], []
for row in test:
    seen = set(train[train.userId == row.userId].movieId)
    recs = [m for m in ranked if m not in seen][:10]
    hits = int(row.movieId in recs)
    precision.append(hits / 10)
    recall.append(hits / 1)
user2 = train[train.userId == 2].movieId.tolist()
titles = dict(zip(movies.movieId, movies.title))
genres = dict(zip(movies.movieId, movies.genres))
print(json.dumps({
    "precision": sum(precision) / len(precision),
    "recall": sum(recall) / len(recall),
    "user2": [{"item": int(m), "title": titles[m], "genres": genres[m].replace("|", ", ")} for m in user2],
}))
`;

let demo;
let sample;
before(async () => {
  await loadRecwasm();
  sample = writeMovieLensSample({ users: 25 });
  demo = await openDemo();
});
after(async () => {
  await demo?.close();
  if (sample) rmSync(sample.dir, { recursive: true, force: true });
});

test('a file that is not MovieLens is refused and the current models stay', async () => {
  const { page, url } = demo;
  await page.goto(url);
  await waitForRun(page, 1);
  const before = await readMetrics(page);
  const bogus = join(sample.dir, 'notes.csv');
  writeFileSync(bogus, 'hello,world\n1,2\n');
  await page.setInputFiles('#files', [bogus]);
  await page.waitForSelector('#status[data-state="error"]');
  assert.match((await page.textContent('#status')) ?? '', /notes\.csv is not a MovieLens/);
  assert.deepEqual(await readMetrics(page), before);
  assert.deepEqual(demo.consoleErrors, []);
});

test('dropping a small MovieLens sample trains every model and shows metrics', async () => {
  const { page } = demo;
  const expected = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', PANDAS_POPULARITY, sample.ratings, sample.movies], { encoding: 'utf8' }),
  );

  await page.setInputFiles('#files', [sample.ratings, sample.movies, sample.tags]);
  await waitForRun(page, 2, 'ready', 120_000);
  const counts = await page.$eval('#dataset-summary', (e) => ({ ...e.dataset }));
  assert.deepEqual(counts, {
    source: 'movielens',
    users: String(sample.users),
    items: String(sample.items),
    rows: String(sample.rows),
  });

  const metrics = await readMetrics(page);
  for (const kind of Model.kinds()) assert.ok(metrics[kind], `the table lists ${kind}`);
  for (const [id, row] of Object.entries(metrics)) {
    for (const metric of ['precision', 'recall', 'ndcg', 'hitRate']) {
      assert.ok(row.values[metric] >= 0 && row.values[metric] <= 1, `${id} ${metric}`);
    }
    assert.equal(row.metrics['notebook-precision'], undefined, 'no notebook figures on MovieLens');
  }
  assert.ok(Math.abs(metrics.popularity.values.precision - expected.precision) < 1e-12, 'popularity P@10 = pandas');
  assert.ok(Math.abs(metrics.popularity.values.recall - expected.recall) < 1e-12, 'popularity R@10 = pandas');
  for (const [id, bar] of Object.entries(await readProgress(page))) {
    assert.deepEqual([bar.state, bar.fraction], ['done', 1], id);
  }

  // User 2's history in train order, with titles and genres from movies.csv.
  assert.equal(await page.$$eval('#user-select option', (o) => o.length), sample.users);
  const history = await page.$$eval('#history-table tbody tr', (rows) =>
    rows.map((r) => ({
      item: Number(r.dataset.item),
      title: r.cells[0]?.textContent,
      genres: r.cells[1]?.textContent,
    })),
  );
  assert.deepEqual(history, expected.user2);
  const cards = await readRecommendations(page);
  for (const [id, recs] of Object.entries(cards)) {
    assert.ok(recs.length > 0 && recs.length <= 10, `${id} recommends`);
    for (const r of recs) assert.ok(!expected.user2.some((h) => h.item === r.item), `${id} leaves out seen items`);
  }
  assert.equal(Object.values(cards).find((recs) => recs.length === 10) !== undefined, true);
  await demo.screenshot('demo-movielens');
  assert.deepEqual(demo.consoleErrors, []);
});

test('a reload restores the MovieLens models with their data', async () => {
  const { page } = demo;
  await page.waitForSelector('#status[data-saved="true"]');
  const metrics = await readMetrics(page);
  const recs = await readRecommendations(page);
  await page.reload();
  await page.waitForSelector('#status[data-state="ready"][data-origin="restored"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('#dataset-summary', 'data-source'), 'movielens');
  assert.equal(await page.getAttribute('#dataset-summary', 'data-users'), String(sample.users));
  const restored = await readMetrics(page);
  assert.deepEqual(Object.keys(restored), Object.keys(metrics));
  for (const [id, row] of Object.entries(metrics)) assert.deepEqual(restored[id]?.values, row.values, id);
  assert.deepEqual(await readRecommendations(page), recs);
  assert.deepEqual(demo.consoleErrors, []);
});
