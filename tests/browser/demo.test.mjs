// The demo on the notebook's dataset: Train all, the notebook's figures in the table, progress
// bars, user 2's recommendations, k selection, keyboard use. Every model the page lists is
// checked, so models merged later are covered without editing this file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Model, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';
import { openDemo, readMetrics, readProgress, readRecommendations, waitForRun } from './harness.mjs';

// The notebook's printed P@10 / R@10 (popularity: with ties broken by lower item id, see DESIGN.md).
const NOTEBOOK = {
  popularity: ['0.037', '0.367'],
  content_tfidf: ['0.080', '0.800'],
  covisitation: ['0.043', '0.433'],
  user_knn: ['0.037', '0.367'],
  item_knn: ['0.033', '0.333'],
  mf: ['0.047', '0.467'],
  two_tower: ['0.050', '0.500'],
};
const DETERMINISTIC = new Set(['popularity', 'content_tfidf', 'covisitation', 'user_knn', 'item_knn']);
// The notebook's printed co-visitation list for user 2 (last item 38): only 7 unseen neighbours.
const NOTEBOOK_COVISITATION_USER_2 = [15, 57, 32, 22, 26, 39, 58];

// The notebook's printed items_df.head(10): title and description (its category comments name
// the genres: 0 Action, 1 Romance, 2 Sci-Fi, 3 Comedy, 4 Horror, 5 Documentary).
const NOTEBOOK_ITEMS_HEAD = [
  ['Item_00_Category_03', 'Comedy', 'smile joke awkward comedy ridiculous'],
  ['Item_01_Category_04', 'Horror', 'fear scary haunted monster ghost'],
  ['Item_02_Category_02', 'Sci-Fi', 'technology experiment cyber alien spaceship'],
  ['Item_03_Category_04', 'Horror', 'scream haunted evil dark ghost'],
  ['Item_04_Category_04', 'Horror', 'blood dark scary curse evil'],
  ['Item_05_Category_01', 'Romance', 'wedding relationship love emotion heart'],
  ['Item_06_Category_02', 'Sci-Fi', 'experiment scifi robot space spaceship'],
  ['Item_07_Category_02', 'Sci-Fi', 'cyber planet scifi galaxy space'],
  ['Item_08_Category_02', 'Sci-Fi', 'technology time space galaxy future'],
  ['Item_09_Category_04', 'Horror', 'haunted fear scream nightmare blood'],
];

let demo;
let split;
before(async () => {
  await loadRecwasm();
  split = leaveOneOut(demoDataset(), { seed: 42 });
  demo = await openDemo();
});
after(async () => {
  split?.dispose();
  await demo?.close();
});

/** The same (kind, options) trained and evaluated in Node: what the page must show. */
function nodeFigures(row, k) {
  const model = Model.create(row.kind, row.options);
  try {
    model.fit(split.train);
    const e = evaluate(model, split.test, { k });
    return {
      precision: e.precision,
      recall: e.recall,
      ndcg: e.ndcg,
      hitRate: e.hitRate,
      recs: model.recommend(2, { k }),
    };
  } finally {
    model.dispose();
  }
}

/** The page's figures equal the package's evaluate() (NDCG to rounding: log2 may differ in the last bit). */
function assertSameFigures(row, node, id) {
  for (const metric of ['precision', 'recall', 'hitRate'])
    assert.equal(row.values[metric], node[metric], `${id} ${metric}`);
  assert.ok(Math.abs(row.values.ndcg - node.ndcg) < 1e-12, `${id} ndcg ${row.values.ndcg} vs ${node.ndcg}`);
  for (const metric of ['precision', 'recall', 'ndcg', 'hitRate']) {
    assert.ok(row.values[metric] >= 0 && row.values[metric] <= 1, `${id} ${metric} in [0, 1]`);
  }
}

function rowsOf(split, user) {
  const rows = split.toArrays();
  return [...rows.users.keys()].filter((i) => rows.users[i] === user).map((i) => rows.items[i]);
}

test('Train all on the defaults shows the notebook figures and every bar reaches 100%', async () => {
  const { page, url } = demo;
  await page.goto(url);
  await waitForRun(page, 1); // the page trains the defaults on its first visit
  await page.click('#train-all');
  await waitForRun(page, 2);
  await page.waitForSelector('#status[data-saved="true"]');
  assert.equal(await page.getAttribute('#status', 'data-failed'), '0', 'no model failed');

  const metrics = await readMetrics(page);
  const progress = await readProgress(page);
  for (const kind of Model.kinds()) {
    assert.ok(metrics[kind], `the table lists ${kind}`);
    assert.equal(metrics[kind].variant, 'notebook');
  }
  assert.deepEqual(Object.keys(progress).sort(), Object.keys(metrics).sort(), 'one progress bar per trained model');
  for (const [id, bar] of Object.entries(progress)) {
    assert.equal(bar.state, 'done', `${id} finished`);
    assert.equal(bar.fraction, 1, `${id}'s bar reached 100%`);
    assert.equal(bar.value, 1, `${id}'s <progress> value is 1`);
  }

  for (const [id, row] of Object.entries(metrics)) {
    assert.equal(row.origin, 'trained');
    const reference = NOTEBOOK[row.kind];
    if (row.variant === 'notebook' && reference) {
      assert.deepEqual([row.metrics['notebook-precision'], row.metrics['notebook-recall']?.slice(0, 5)], reference);
      if (DETERMINISTIC.has(row.kind)) {
        assert.deepEqual([row.metrics.precision, row.metrics.recall], reference, `${id} reproduces the notebook`);
      }
    }
    // The page's figures are the package's: the same (kind, options) evaluated in Node agree.
    const node = nodeFigures(row, 10);
    assertSameFigures(row, node, id);
    assert.ok(row.values.fitMs >= 0);
  }
  await demo.screenshot('demo-defaults');
  assert.deepEqual(demo.consoleErrors, []);
});

test("the dataset panel shows the notebook's parameters and items", async () => {
  const { page } = demo;
  const params = await page.$$eval('#generator-form input', (inputs) =>
    Object.fromEntries(inputs.map((i) => [i.name, Number(i.value)])),
  );
  assert.deepEqual(params, { users: 30, items: 60, categories: 6, ratingsPerUser: 12, sessionLength: 8, seed: 42 });
  const summary = await page.$eval('#dataset-summary', (e) => ({ ...e.dataset }));
  assert.deepEqual(summary, { source: 'generator', users: '30', items: '60', rows: '358' });
  const items = await page.$$eval('#items-table tbody tr', (rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent)),
  );
  assert.equal(items.length, 60);
  assert.deepEqual(
    items.slice(0, 10).map(([, title, genre, description]) => [title, genre, description]),
    NOTEBOOK_ITEMS_HEAD,
  );
  assert.deepEqual(demo.consoleErrors, []);
});

test("user 2's panel: history, held-out item and 10 recommendations per model", async () => {
  const { page } = demo;
  assert.equal(await page.$eval('#user-select', (s) => s.value), '2');
  const trainItems = rowsOf(split.train, 2);
  const [heldOut] = rowsOf(split.test, 2);
  const history = await page.$$eval('#history-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.item)));
  assert.deepEqual(history, trainItems);
  assert.equal(Number(await page.$eval('.held-out-item', (e) => e.dataset.item)), heldOut);

  const metrics = await readMetrics(page);
  const cards = await readRecommendations(page);
  assert.deepEqual(Object.keys(cards).sort(), Object.keys(metrics).sort(), 'one card per model');
  for (const [id, recs] of Object.entries(cards)) {
    const row = metrics[id];
    const items = recs.map((r) => r.item);
    if (row.kind === 'covisitation' && row.variant === 'notebook') {
      assert.deepEqual(items, NOTEBOOK_COVISITATION_USER_2, 'the notebook’s co-visitation list for user 2');
    } else {
      assert.equal(recs.length, 10, `${id} shows 10 recommendations`);
    }
    assert.equal(new Set(items).size, items.length, `${id} repeats no item`);
    for (const r of recs) {
      assert.ok(!trainItems.includes(r.item), `${id} leaves out seen item ${r.item}`);
      assert.equal(r.heldOut, r.item === heldOut, `${id} highlights exactly the held-out item`);
    }
    const node = nodeFigures(row, 10).recs;
    assert.deepEqual(items, node.items, `${id}: the page shows the package's ranking`);
    assert.deepEqual(
      recs.map((r) => r.score),
      node.scores,
    );
  }
  assert.deepEqual(demo.consoleErrors, []);
});

test('k is selectable: the table, chart and lists follow it', async () => {
  const { page } = demo;
  await page.selectOption('#k-select', '5');
  await page.waitForSelector('#metrics-table th:text-is("P@5")');
  const metrics = await readMetrics(page);
  for (const [id, row] of Object.entries(metrics)) {
    assertSameFigures(row, nodeFigures(row, 5), `${id} @5`);
  }
  const cards = await readRecommendations(page);
  for (const [id, recs] of Object.entries(cards)) assert.ok(recs.length <= 5 && recs.length > 0, id);
  const chartGroups = await page.$$eval('#metrics-chart svg g[data-model]', (gs) => gs.map((g) => g.dataset.model));
  assert.deepEqual(chartGroups.sort(), Object.keys(metrics).sort(), 'one chart group per model');
  await demo.screenshot('demo-k5');
  await page.selectOption('#k-select', '10');
  await page.waitForSelector('#metrics-table th:text-is("P@10")');
  assert.deepEqual(demo.consoleErrors, []);
});

test('keyboard: every control is labelled and Train all works from the keyboard', async () => {
  const { page } = demo;
  const unlabelled = await page.$$eval('input, select, button, progress', (controls) =>
    controls
      .filter((c) => {
        const labels = 'labels' in c && c.labels ? c.labels.length : 0;
        return labels === 0 && !c.getAttribute('aria-label') && !(c.tagName === 'BUTTON' && c.textContent?.trim());
      })
      .map((c) => c.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');

  // Tab order follows the page: skip link, generator, files, training, k, user.
  await page.focus('a.skip');
  const order = [];
  for (let i = 0; i < 40 && !order.includes('user-select'); i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id ?? '');
    if (id) order.push(id);
  }
  const wanted = ['generate', 'files', 'train-all', 'k-select', 'user-select'];
  const positions = wanted.map((id) => order.indexOf(id));
  assert.ok(
    positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] ?? -1))),
    `tab order ${order.join(' ')}`,
  );

  await page.focus('#train-all');
  await page.keyboard.press('Enter');
  await waitForRun(page, 3);
  const progress = await readProgress(page);
  assert.ok(Object.values(progress).every((bar) => bar.fraction === 1));
  assert.deepEqual(demo.consoleErrors, []);
});

test('without the variants, Train all trains exactly the registered models', async () => {
  const { page } = demo;
  await page.setChecked('#with-variants', false);
  await page.click('#train-all');
  await waitForRun(page, 4);
  const progress = await readProgress(page);
  assert.deepEqual(Object.keys(progress), Model.kinds());
  assert.ok(Object.values(progress).every((bar) => bar.state === 'done' && bar.fraction === 1));
  await page.setChecked('#with-variants', true);
  assert.deepEqual(demo.consoleErrors, []);
});

test('the page is readable on a phone', async () => {
  const { page } = demo;
  await page.setViewportSize({ width: 390, height: 844 });
  // Nothing wider than the screen: wide tables scroll inside their own region.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await demo.screenshot('demo-phone');
  await page.setViewportSize({ width: 1280, height: 720 });
  assert.deepEqual(demo.consoleErrors, []);
});
