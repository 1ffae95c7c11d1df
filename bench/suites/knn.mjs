// Bench suite: the neighbourhood models' own goals (issue 4). On the notebook's generator at
// 100 users x 200 items, user_knn and item_knn (fit + top-10 for every user, the leave-one-out
// split) against the notebook's own Python classes run once by tests/reference/knn_reference.py
// (goal: at least 1000x faster); and item_knn on ml-latest-small with a bounded neighbour store
// (maxStoredNeighbors 50) beside the exact one of the main table. Times are wall-clock medians
// and minimum CPU times (a busy machine distorts the latter much less).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_ROUNDS, runCell } from '../cells.mjs';

// A round on the 100 x 200 data takes about 2 ms, so its median over the suite's usual 5 rounds
// still includes the JIT warming up the JavaScript side (medians from 4.6 to 8.4 ms in past runs,
// about 2 ms once warm): those cells take at least 50 rounds on both sides, well inside their
// budget.
const cells = [
  { model: 'user_knn', data: 'notebook-100x200', minRepeats: FAST_ROUNDS },
  { model: 'item_knn', data: 'notebook-100x200', minRepeats: FAST_ROUNDS },
  { model: 'item_knn', data: 'ml-latest-small', options: 'maxStoredNeighbors=50' },
];

export async function run({ root, repeats }) {
  const datasets = join(root, '..', 'shared', 'datasets');
  const rows = [];
  for (const cell of cells) {
    const args = ['--model', cell.model, '--data', cell.data, '--repeats', String(repeats), '--budget-ms', '3000'];
    if (cell.minRepeats) args.push('--min-repeats', String(cell.minRepeats));
    args.push('--datasets', datasets);
    if (cell.options) args.push('--options', cell.options);
    const { minRepeats: _, ...described } = cell;
    const row = { suite: 'knn', ...described };
    for (const side of ['native', 'wasm']) row[side] = await runCell(side, args, 60_000);
    rows.push(row);
  }

  let python = null;
  const script = join(root, 'tests/reference/knn_reference.py');
  if (existsSync('/usr/bin/python3') && existsSync(script) && process.env.RECWASM_BENCH_PYTHON !== '0') {
    const out = execFileSync('/usr/bin/python3', [script, 'time', '--users', '100', '--items', '200'], {
      encoding: 'utf8',
    });
    python = JSON.parse(out);
  }

  const total = (r, cpu) => (cpu ? r.fit_cpu_min_ms + r.recommend_all_cpu_min_ms : r.fit_ms + r.recommend_all_ms);
  const fmt = (v) => (v === undefined || Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  const lines = [
    '| neighbourhood models | options | wasm fit + recommend-all ms (min cpu) | native ms (min cpu) | wasm / native | notebook Python | wasm speed-up |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const { wasm: w, native: n } = r;
    const failed = w.error ?? w.skipped ?? n.error ?? n.skipped;
    if (failed) {
      lines.push(`| ${r.model} on ${r.data} | ${r.options ?? ''} | ${failed} |||||`);
      continue;
    }
    let pythonCell = '';
    let speedup = '';
    const seconds = python?.[`${r.model}_s`];
    if (r.data === 'notebook-100x200' && seconds !== undefined) {
      const cpuSeconds = python[`${r.model}_cpu_s`];
      pythonCell = `${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s cpu)`;
      r.python_s = seconds;
      r.python_cpu_s = cpuSeconds;
      r.speedup = (1000 * seconds) / total(w, false);
      r.speedup_cpu = (1000 * cpuSeconds) / total(w, true);
      speedup = `${r.speedup.toFixed(0)}x (${r.speedup_cpu.toFixed(0)}x cpu)`;
    }
    lines.push(
      `| ${r.model} on ${r.data} | ${r.options ?? ''} | ${fmt(total(w, false))} (${fmt(total(w, true))}) | ` +
        `${fmt(total(n, false))} (${fmt(total(n, true))}) | ${(total(w, false) / total(n, false)).toFixed(2)}x | ` +
        `${pythonCell} | ${speedup} |`,
    );
  }
  return { rows, markdown: lines.join('\n') };
}
