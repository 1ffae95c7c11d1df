// `npm run bench`: times models in wasm (Node) and natively, prints a Markdown table and writes
// bench/results.json and bench/results.md. Medians of repeated runs after one warm-up.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Model, demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

const root = new URL('..', import.meta.url).pathname;
const repeats = Number(process.env.RECWASM_BENCH_REPEATS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

function timeWasm(kind, train, k = 10) {
  const fit = [];
  const recommend = [];
  const users = train.userIds();
  for (let r = 0; r <= repeats; r++) {
    const model = Model.create(kind);
    try {
      let start = performance.now();
      model.fit(train);
      const fitMs = performance.now() - start;
      start = performance.now();
      for (const user of users) model.recommend(user, { k });
      const recommendMs = performance.now() - start;
      if (r > 0) {
        fit.push(fitMs);
        recommend.push(recommendMs);
      }
    } finally {
      model.dispose();
    }
  }
  return { fit_ms: median(fit), recommend_all_ms: median(recommend) };
}

function timeNative(kind, data) {
  const out = execFileSync(
    `${root}build/native/recwasm-bench`,
    ['--model', kind, '--data', data, '--repeats', String(repeats)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out);
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
    native: { fit_ms: native.fit_ms, recommend_all_ms: native.recommend_all_ms },
  });
}
split.dispose();
data.dispose();

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  repeats,
  rows,
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
writeFileSync(new URL('results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
writeFileSync(new URL('results.md', import.meta.url), table + '\n');
console.log('\nwrote bench/results.json and bench/results.md');
