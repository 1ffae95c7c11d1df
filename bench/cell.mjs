// One wasm cell of `npm run bench`, in a fresh Node process so that the wasm heap it reports
// (the Memory only grows, never shrinks) belongs to this model x dataset alone. Mirrors
// cpp/tools/recwasm_bench.cpp: leave-one-out split (seed 42), a warm-up round, then as many
// timed rounds as the budget allows (a fast cell warms up longer and takes at least 50: see
// keepWarming and roundsWanted in cells.mjs); prints one JSON object.
//
//   node bench/cell.mjs --model KIND --data NAME [--repeats 5] [--min-repeats 0] [--k 10]
//                       [--budget-ms 5000] [--datasets DIR] [--options key=value,key=value]
// Besides wall-clock medians it reports the minimum process CPU time of the timed rounds.
import { parseArgs } from 'node:util';
import { Model, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';
// Internal, not part of the package's API: the wasm Memory's current size.
import { heapBytes } from '../dist/runtime.js';
import { keepWarming, roundsWanted } from './cells.mjs';
import { DATASETS, checksum } from './datasets.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string', default: 'notebook' },
    repeats: { type: 'string', default: '5' },
    'min-repeats': { type: 'string', default: '0' },
    k: { type: 'string', default: '10' },
    'budget-ms': { type: 'string', default: '5000' },
    datasets: { type: 'string', default: '../shared/datasets' },
    options: { type: 'string', default: '' },
  },
});
const repeats = Math.max(1, Number(args.repeats));
const minRepeats = Math.max(0, Number(args['min-repeats']));
const k = Number(args.k);
const budgetMs = Number(args['budget-ms']);

// key=value,key=value as recwasm-bench reads them: numbers, true/false, else strings.
const modelOptions = Object.fromEntries(
  args.options
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => {
      const [key, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === 'true' || value === 'false') return [key, value === 'true'];
      return [key, value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value];
    }),
);
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

await loadRecwasm();
const heapAtStart = heapBytes();
let start = performance.now();
const full = DATASETS[args.data].load({ datasetsDir: args.datasets });
const split = leaveOneOut(full, { seed: 42 });
const loadMs = performance.now() - start;
const heapAfterData = heapBytes();
const users = split.train.userIds();

const fitMs = [];
const recommendMs = [];
const fitCpuMs = [];
const recommendCpuMs = [];
let warmupMs = 0;
let warmingMs = 0;
let warmUpRounds = 1;
let rounds = 1;
let last;
for (let round = 0; round < rounds; round++) {
  // The last round's model goes first: every round after the warm-up then fits into memory the
  // warm-up touched (with both alive, the second fitted into fresh memory again), and the heap
  // reported holds one model.
  last?.dispose();
  const model = Model.create(args.model, modelOptions);
  start = performance.now();
  let cpuStart = cpuMs();
  model.fit(split.train);
  const fit = performance.now() - start;
  const fitCpu = cpuMs() - cpuStart;
  start = performance.now();
  cpuStart = cpuMs();
  for (const user of users) model.recommend(user, { k });
  const recommend = performance.now() - start;
  const recommendCpu = cpuMs() - cpuStart;
  if (round === 0) {
    warmupMs = fit + recommend;
    const wanted = roundsWanted(warmupMs, repeats, minRepeats);
    rounds += Math.max(0, Math.min(wanted, Math.floor((budgetMs - warmupMs) / Math.max(warmupMs, 1e-3))));
  }
  if (round < warmUpRounds) {
    warmingMs += fit + recommend;
    if (rounds > 1 && keepWarming(warmupMs, warmingMs)) {
      warmUpRounds++;
      rounds++;
    }
  }
  if (round >= warmUpRounds || rounds === 1) {
    fitMs.push(fit);
    recommendMs.push(recommend);
    fitCpuMs.push(fitCpu);
    recommendCpuMs.push(recommendCpu);
  }
  last = model;
}
// P@k / R@k cost one more recommend-all: only where the budget allowed repeats.
const quality = rounds > 1 ? evaluate(last, split.test, { k }) : {};
const summary = split.train.summary();

console.log(
  JSON.stringify({
    model: args.model,
    data: args.data,
    users: summary.users,
    items: summary.items,
    rows: summary.rows,
    checksum: checksum(split.train),
    load_ms: loadMs,
    warmup_ms: warmupMs,
    runs: fitMs.length,
    cold: rounds === 1,
    fit_ms: median(fitMs),
    recommend_all_ms: median(recommendMs),
    fit_cpu_min_ms: Math.min(...fitCpuMs),
    recommend_all_cpu_min_ms: Math.min(...recommendCpuMs),
    precision: quality.precision,
    recall: quality.recall,
    heap_start_bytes: heapAtStart,
    heap_data_bytes: heapAfterData,
    heap_peak_bytes: heapBytes(),
  }),
);
