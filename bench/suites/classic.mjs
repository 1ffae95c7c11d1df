// Bench suite: the classic models on MovieLens ml-latest-small, in wasm (Node) and natively.
// Each model is fitted on the leave-one-out training rows (seed 42; sessions rebuilt from them),
// then recommends top-10 for every user. Goals: fit + recommend-all under 1 s in wasm, and
// within 2x of native. Medians after one warm-up run (for a model whose first run took under
// 50 ms, 300 ms of warm-up and at least 50 timed runs, natively as many as in wasm); CPU
// milliseconds are reported beside wall time because they stay meaningful on a busy machine.
//
//   node bench/suites/classic.mjs [repeats]     (standalone: prints the table)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, Model, leaveOneOut, loadRecwasm } from 'recwasm';
import { keepWarming, roundsWanted } from '../cells.mjs';

const classic = ['popularity', 'content_tfidf', 'covisitation', 'user_knn', 'item_knn'];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function timeWasm(kind, train, repeats) {
  const t = { fit: [], fitCpu: [], recommend: [], recommendCpu: [] };
  const users = train.userIds();
  let rounds = repeats;
  let firstRunMs = -1;
  let warmingMs = 0;
  let warming = true;
  while (t.fit.length < rounds) {
    const model = Model.create(kind);
    try {
      let wall = performance.now();
      let cpu = cpuMs();
      model.fit(train);
      const fit = performance.now() - wall;
      const fitCpu = cpuMs() - cpu;
      wall = performance.now();
      cpu = cpuMs();
      for (const user of users) model.recommend(user, { k: 10 });
      if (warming) {
        const runMs = fit + performance.now() - wall;
        if (firstRunMs < 0) {
          firstRunMs = runMs;
          rounds = roundsWanted(runMs, repeats);
        }
        warmingMs += runMs;
        warming = keepWarming(firstRunMs, warmingMs);
        continue;
      }
      t.recommend.push(performance.now() - wall);
      t.recommendCpu.push(cpuMs() - cpu);
      t.fit.push(fit);
      t.fitCpu.push(fitCpu);
    } finally {
      model.dispose();
    }
  }
  return {
    runs: t.fit.length,
    fit_ms: median(t.fit),
    recommend_all_ms: median(t.recommend),
    fit_cpu_ms: median(t.fitCpu),
    recommend_all_cpu_ms: median(t.recommendCpu),
  };
}

export async function run({ root, repeats }) {
  const dir = join(root, '..', 'shared', 'datasets', 'ml-latest-small');
  if (!existsSync(join(dir, 'ratings.csv'))) {
    return { rows: [], markdown: `_classic suite skipped: ${dir} not found_\n` };
  }
  await loadRecwasm();
  const models = classic.filter((kind) => Model.kinds().includes(kind));
  const data = Dataset.fromMovieLens({
    ratings: readFileSync(join(dir, 'ratings.csv')),
    movies: readFileSync(join(dir, 'movies.csv')),
    tags: readFileSync(join(dir, 'tags.csv')),
  });
  const split = leaveOneOut(data, { seed: 42 });
  const wasm = new Map();
  try {
    for (const kind of models) wasm.set(kind, timeWasm(kind, split.train, repeats));
  } finally {
    split.dispose();
    data.dispose();
  }

  const native = new Map();
  const tool = join(root, 'build', 'native', 'recwasm-classic-bench');
  if (existsSync(tool)) {
    // As many runs as wasm timed for the model, so that both medians have the same footing.
    for (const kind of models) {
      const args = ['--dir', dir, '--repeats', String(wasm.get(kind).runs), '--models', kind];
      const out = JSON.parse(execFileSync(tool, args, { encoding: 'utf8' }));
      for (const m of out.models) native.set(m.name, m);
    }
  }

  const rows = models.map((kind) => {
    const w = wasm.get(kind);
    const n = native.get(kind);
    const total = (t) => (t ? t.fit_ms + t.recommend_all_ms : null);
    const totalCpu = (t) => (t ? t.fit_cpu_ms + t.recommend_all_cpu_ms : null);
    return {
      suite: 'classic',
      model: kind,
      wasm: w,
      native: n ?? null,
      wasm_total_ms: total(w),
      native_total_ms: total(n),
      wasm_over_native: n ? total(w) / total(n) : null,
      wasm_over_native_cpu: n ? totalCpu(w) / totalCpu(n) : null,
    };
  });

  const fmt = (v) => (typeof v === 'number' ? v.toFixed(1) : '-');
  const ratio = (v) => (typeof v === 'number' ? `${v.toFixed(2)}x` : '-');
  const markdown = [
    '| ml-latest-small, top-10 for 610 users | wasm fit ms | wasm recommend-all ms | wasm total ms (cpu) | native total ms (cpu) | wasm / native (cpu) |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${fmt(r.wasm.fit_ms)} | ${fmt(r.wasm.recommend_all_ms)} | ` +
        `${fmt(r.wasm_total_ms)} (${fmt(r.wasm.fit_cpu_ms + r.wasm.recommend_all_cpu_ms)}) | ` +
        `${fmt(r.native_total_ms)} (${fmt(r.native && r.native.fit_cpu_ms + r.native.recommend_all_cpu_ms)}) | ` +
        `${ratio(r.wasm_over_native)} (${ratio(r.wasm_over_native_cpu)}) |`,
    ),
  ].join('\n');
  return { rows, markdown: markdown + '\n' };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const root = new URL('../..', import.meta.url).pathname;
  const { markdown } = await run({ root, repeats: Number(process.argv[2] ?? 5) });
  console.log(markdown);
}
