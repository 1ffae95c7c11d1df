// `npm run bench`: times models in wasm (Node) and natively, prints a Markdown table and writes
// bench/results.json and bench/results.md. Medians of repeated runs after one warm-up.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Dataset, Model, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('..', import.meta.url).pathname;
const repeats = Number(process.env.RECWASM_BENCH_REPEATS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

// Wall-clock medians, plus minimum process CPU times (robust when the machine is busy).
function timeWasm(kind, train, k = 10, options = {}) {
  const fit = [];
  const recommend = [];
  const fitCpu = [];
  const recommendCpu = [];
  const cpu = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  const users = train.userIds();
  for (let r = 0; r <= repeats; r++) {
    const model = Model.create(kind, options);
    try {
      let start = performance.now();
      let startCpu = cpu();
      model.fit(train);
      const fitMs = performance.now() - start;
      const fitCpuMs = cpu() - startCpu;
      start = performance.now();
      startCpu = cpu();
      for (const user of users) model.recommend(user, { k });
      const recommendMs = performance.now() - start;
      const recommendCpuMs = cpu() - startCpu;
      if (r > 0) {
        fit.push(fitMs);
        recommend.push(recommendMs);
        fitCpu.push(fitCpuMs);
        recommendCpu.push(recommendCpuMs);
      }
    } finally {
      model.dispose();
    }
  }
  return {
    fit_ms: median(fit),
    recommend_all_ms: median(recommend),
    fit_cpu_min_ms: Math.min(...fitCpu),
    recommend_all_cpu_min_ms: Math.min(...recommendCpu),
  };
}

function timeNative(kind, data, extra = []) {
  const out = execFileSync(
    `${root}build/native/recwasm-bench`,
    ['--model', kind, '--data', data, '--repeats', String(repeats), ...extra],
    { encoding: 'utf8' },
  );
  return JSON.parse(out);
}

// ml-latest-small, every rating as training data, the catalogue including movies.csv.
const movielensDir = `${root}../shared/datasets/ml-latest-small/`;
function movielens() {
  const lines = readFileSync(`${movielensDir}ratings.csv`, 'utf8').trim().split('\n').slice(1);
  const users = new Float64Array(lines.length);
  const items = new Float64Array(lines.length);
  const ratings = new Float64Array(lines.length);
  lines.forEach((line, k) => {
    const [u, i, r] = line.split(',');
    users[k] = Number(u);
    items[k] = Number(i);
    ratings[k] = Number(r);
  });
  const movies = readFileSync(`${movielensDir}movies.csv`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]));
  return Dataset.fromArrays({ users, items, ratings, catalogue: { items: movies } });
}

await loadRecwasm();
const data = demoDataset();
const split = leaveOneOut(data, { seed: 42 });
const rows = [];
for (const kind of ['popularity']) {
  const wasm = timeWasm(kind, split.train);
  const native = timeNative(kind, 'demo');
  rows.push({
    model: kind,
    dataset: 'notebook',
    wasm,
    native,
  });
}
split.dispose();
data.dispose();

// kNN: the notebook data, the notebook's generator at 100 users x 200 items (compared with the
// notebook's own Python, run once), and MovieLens exact and with a bounded neighbour store.
const scaled = demoDataset({ users: 100, items: 200 });
const scaledSplit = leaveOneOut(scaled, { seed: 42 });
const notebookSplit = leaveOneOut(demoDataset(), { seed: 42 });
const knnCases = [
  { dataset: 'notebook', data: 'demo', train: () => notebookSplit.train },
  { dataset: 'notebook 100x200', data: 'demo100', train: () => scaledSplit.train },
];
if (existsSync(`${movielensDir}ratings.csv`)) {
  knnCases.push({ dataset: 'ml-latest-small', data: 'movielens', train: movielens });
}
for (const { dataset, data: name, train } of knnCases) {
  const trainData = train();
  const variants = [{}];
  if (name === 'movielens') variants.push({ maxStoredNeighbors: 50 });
  for (const kind of ['user_knn', 'item_knn']) {
    for (const options of variants) {
      if (kind === 'user_knn' && options.maxStoredNeighbors) continue;
      const extra =
        name === 'movielens'
          ? ['--ratings', `${movielensDir}ratings.csv`, '--movies', `${movielensDir}movies.csv`]
          : [];
      const optionText = Object.entries(options)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      if (optionText) extra.push('--options', optionText);
      const native = timeNative(kind, name, extra);
      rows.push({
        model: optionText ? `${kind} (${optionText})` : kind,
        dataset,
        wasm: timeWasm(kind, trainData, 10, options),
        native,
      });
    }
  }
  if (name === 'movielens') trainData.dispose();
}
notebookSplit.dispose();
scaledSplit.dispose();
scaled.dispose();

// The notebook's own UserKNNCF / ItemKNNCF on the 100 x 200 data (Debian's numpy), once.
let notebookPython = null;
if (existsSync('/usr/bin/python3') && process.env.RECWASM_BENCH_PYTHON !== '0') {
  const out = execFileSync(
    '/usr/bin/python3',
    [`${root}tests/reference/knn_reference.py`, 'time', '--users', '100', '--items', '200'],
    { encoding: 'utf8' },
  );
  notebookPython = JSON.parse(out);
}

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  repeats,
  rows,
  notebookPython,
};
const fmt = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
const table = [
  '| model | dataset | wasm fit ms | wasm recommend-all ms | native fit ms | native recommend-all ms |',
  '|---|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.dataset} | ${fmt(r.wasm.fit_ms)} | ${fmt(r.wasm.recommend_all_ms)} | ${fmt(r.native.fit_ms)} | ${fmt(r.native.recommend_all_ms)} |`,
  ),
].join('\n');
console.log(table);
const cpuRows = rows.filter((r) => r.wasm.fit_cpu_min_ms !== undefined);
console.log(
  [
    '\nMinimum CPU time (ms), less sensitive to a busy machine:',
    '| model | dataset | wasm fit | wasm recommend-all | native fit | native recommend-all |',
    '|---|---|---:|---:|---:|---:|',
    ...cpuRows.map(
      (r) =>
        `| ${r.model} | ${r.dataset} | ${fmt(r.wasm.fit_cpu_min_ms)} | ${fmt(r.wasm.recommend_all_cpu_min_ms)} | ${fmt(r.native.fit_cpu_min_ms)} | ${fmt(r.native.recommend_all_cpu_min_ms)} |`,
    ),
  ].join('\n'),
);
if (notebookPython) {
  for (const kind of ['user_knn', 'item_knn']) {
    const ours = rows.find((r) => r.model === kind && r.dataset === 'notebook 100x200');
    const seconds = notebookPython[`${kind}_s`];
    const cpuSeconds = notebookPython[`${kind}_cpu_s`];
    const wall = ours.wasm.fit_ms + ours.wasm.recommend_all_ms;
    const cpuMs = ours.wasm.fit_cpu_min_ms + ours.wasm.recommend_all_cpu_min_ms;
    console.log(
      `${kind} on 100x200: notebook Python ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU; ` +
        `wasm ${((1000 * seconds) / wall).toFixed(0)}x faster (wall), ${((1000 * cpuSeconds) / cpuMs).toFixed(0)}x (CPU)`,
    );
  }
}
writeFileSync(new URL('results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
writeFileSync(new URL('results.md', import.meta.url), table + '\n');
console.log('\nwrote bench/results.json and bench/results.md');
