// The demo page in headless Chromium, against its production build (vite build + preview):
// - page load to first recommendations on the notebook's defaults, in a fresh profile each time
//   (goal: under 1 s), read from the page's own performance mark;
// - "Train all" on ml-latest-small (goal: under 10 s), as the page measures it: fitting every
//   model the page lists on its pool of workers (one per core, at most four), as the user waits
//   for it. The fit times are per model, so with several workers their sum exceeds the wall time
//   when there are free cores, and each one grows when the workers share fewer cores.
// Medians over `repeats` runs after one warm-up. Run alone with `node bench/suites/demo.mjs`.
import { join } from 'node:path';
import { build } from 'vite';
import { openDemo, waitForRun } from '../../tests/browser/harness.mjs';
import { movieLensDir } from '../../tests/browser/movielens-sample.mjs';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function buildDemo(root) {
  await build({ root: join(root, 'demo'), configFile: join(root, 'demo/vite.config.ts'), logLevel: 'warn' });
}

async function firstRecommendations() {
  const demo = await openDemo();
  try {
    await demo.page.goto(demo.url);
    await demo.page.waitForSelector('#status[data-run="1"][data-state="ready"]', { timeout: 60_000 });
    return await demo.page.evaluate(() => {
      const at = (name) => {
        const mark = performance.getEntriesByName(name)[0];
        if (!mark) throw new Error(`the page set no ${name} mark`);
        return mark.startTime;
      };
      return {
        first: at('recwasm:first-recommendations'),
        all: at('recwasm:all-trained'),
        models: document.querySelectorAll('#model-recs .model-card').length,
      };
    });
  } finally {
    await demo.close();
  }
}

async function trainAllOnMovieLens(repeats) {
  const demo = await openDemo();
  const { page } = demo;
  try {
    await page.goto(demo.url);
    await waitForRun(page, 1);
    const files = ['ratings.csv', 'movies.csv', 'tags.csv'].map((f) => join(movieLensDir, f));
    const dropped = performance.now();
    await page.setInputFiles('#files', files);
    await waitForRun(page, 2, 'ready', 600_000);
    const dropToMetrics = performance.now() - dropped;
    // Run 2 (the drop) is the warm-up; then Train all on the same data, with and without the
    // better variants.
    let run = 3;
    const trainAll = async (withVariants) => {
      await page.setChecked('#with-variants', withVariants);
      const train = [];
      const fit = [];
      const ids = new Set();
      for (let r = 0; r < repeats; r++, run++) {
        await page.click('#train-all');
        await waitForRun(page, run, 'ready', 600_000);
        const status = await page.$eval('#status', (s) => ({ ...s.dataset }));
        if (status.failed !== '0') throw new Error(`models failed: ${await page.textContent('#status')}`);
        train.push(Number(status.trainMs));
        fit.push(Number(status.fitMs));
        for (const id of await page.$$eval('#progress-list li', (rows) => rows.map((r) => r.dataset.model)))
          ids.add(id);
      }
      const fitByModel = await page.$$eval('#metrics-table tbody tr', (rows) =>
        Object.fromEntries(
          rows.map((r) => [r.dataset.model, Number(r.querySelector('td[data-metric="fitMs"]')?.dataset.value)]),
        ),
      );
      return { train, fit, models: [...ids], fitByModel };
    };
    const all = await trainAll(true);
    const notebook = await trainAll(false);
    // Every model (the variants from the first Train all) is saved: a reload restores them all.
    await page.waitForSelector('#status[data-saved="true"]', { timeout: 120_000 });
    const reloaded = performance.now();
    await page.reload();
    await page.waitForSelector('#status[data-state="ready"][data-origin="restored"]', { timeout: 120_000 });
    const reloadToRestored = performance.now() - reloaded;
    const restoredModels = await page.$$eval('#progress-list li', (rows) => rows.length);
    if (demo.consoleErrors.length) throw new Error(`console errors: ${demo.consoleErrors.join('; ')}`);
    return { dropToMetrics, all, notebook, reloadToRestored, restoredModels };
  } finally {
    await demo.close();
  }
}

export async function run({ root, repeats }) {
  await buildDemo(root);
  const loads = [];
  const allTrained = [];
  let cards = 0;
  for (let r = 0; r <= repeats; r++) {
    const result = await firstRecommendations();
    cards = result.models;
    if (r > 0) {
      loads.push(result.first);
      allTrained.push(result.all);
    }
  }
  const ml = await trainAllOnMovieLens(repeats);
  const rows = [
    {
      suite: 'demo',
      measure: 'page load to first recommendations (notebook defaults, fresh profile)',
      median_ms: median(loads),
      goal_ms: 1000,
      runs_ms: loads,
      models: 1,
    },
    {
      suite: 'demo',
      measure: 'page load to every model trained and shown (notebook defaults, fresh profile)',
      median_ms: median(allTrained),
      runs_ms: allTrained,
      models: cards,
    },
    {
      suite: 'demo',
      measure: 'Train all on ml-latest-small, models and variants (click to last model evaluated and shown)',
      median_ms: median(ml.all.train),
      goal_ms: 10000,
      runs_ms: ml.all.train,
      models: ml.all.models.length,
      model_ids: ml.all.models,
      fit_ms_by_model: ml.all.fitByModel,
    },
    {
      suite: 'demo',
      measure: 'the same, sum of the fit times alone',
      median_ms: median(ml.all.fit),
      runs_ms: ml.all.fit,
      models: ml.all.models.length,
    },
    {
      suite: 'demo',
      measure: 'Train all on ml-latest-small, the notebook’s models only',
      median_ms: median(ml.notebook.train),
      goal_ms: 10000,
      runs_ms: ml.notebook.train,
      models: ml.notebook.models.length,
      model_ids: ml.notebook.models,
    },
    {
      suite: 'demo',
      measure: 'reload to the saved ml-latest-small models restored and shown (lists saved with them), one run',
      median_ms: ml.reloadToRestored,
      runs_ms: [ml.reloadToRestored],
      models: ml.restoredModels,
    },
    {
      suite: 'demo',
      measure: 'drop ml-latest-small files to every model shown (read, parse, split, train, evaluate), one run',
      median_ms: ml.dropToMetrics,
      runs_ms: [ml.dropToMetrics],
      models: ml.all.models.length,
    },
  ];
  const fmt = (ms) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
  const slowest = Object.entries(ml.all.fitByModel)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([id, ms]) => `${id} ${fmt(ms)}`)
    .join(', ');
  const markdown = [
    '| demo (headless Chromium, production build) | median | goal | models |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) => `| ${r.measure} | ${fmt(r.median_ms)} | ${r.goal_ms ? `< ${fmt(r.goal_ms)}` : ''} | ${r.models} |`,
    ),
    '',
    `Slowest fits on ml-latest-small (last run): ${slowest}.`,
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('../..', import.meta.url).pathname;
  const { markdown } = await run({ root, repeats: Number(process.env.RECWASM_BENCH_REPEATS ?? 5) });
  console.log(markdown);
}
