// `npm run bench`: every registered model on four datasets, wasm (Node) and native side by side,
// then every suite in bench/suites/. Writes bench/results.json and bench/results.md and prints
// the Markdown.
//
//   node bench/run.mjs [--repeats 5] [--seconds 300] [--datasets a,b] [--models a,b] [--no-suites]
//                      [--readme]   (also rewrites the figures in README.md's Performance section)
//
// Each model x dataset x side runs in a fresh process (cpp/tools/recwasm_bench.cpp natively,
// bench/cell.mjs in Node), so its peak memory is its own: the wasm Memory's size at the end
// (it only grows) and the native peak RSS (getrusage). A cell warms up once, then repeats as
// often as its dataset's budget allows (the medians are reported); a cell that outlives its
// timeout is killed and reported as skipped, as is every cell once the bench's time is up.
//
// Suites: every bench/suites/NAME.mjs exports `async function run({ root, repeats, secondsLeft })`
// returning `{ rows, markdown }`; its rows go to results.json under `suites.NAME` and its markdown
// after the tables (secondsLeft: what remains of the bench's 10 minutes, a hint).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Model, loadRecwasm } from 'recwasm';
import { FAST_ROUND_MS, FAST_ROUNDS, NATIVE_TOOL, runCell } from './cells.mjs';
import { DATASETS } from './datasets.mjs';

const root = new URL('..', import.meta.url).pathname;
const USAGE =
  'usage: npm run bench -- [--repeats 5] [--seconds 300] [--datasets a,b] [--models a,b] [--no-suites] [--readme]';
let parsed;
try {
  parsed = parseArgs({
    options: {
      repeats: { type: 'string', default: process.env.RECWASM_BENCH_REPEATS ?? '5' },
      seconds: { type: 'string', default: process.env.RECWASM_BENCH_SECONDS ?? '300' },
      datasets: { type: 'string' },
      models: { type: 'string' },
      'no-suites': { type: 'boolean', default: false },
      readme: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
const args = parsed.values;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const repeats = Math.max(1, Number(args.repeats));
const startedAt = Date.now();
const deadline = startedAt + Number(args.seconds) * 1000;
const datasetsDir = join(root, '..', 'shared', 'datasets');

// Per dataset: the time a cell may spend on its warm-up and timed rounds (budgetMs), the time
// after which a cell is killed (timeoutMs), its training rows (for estimates), and its share of
// the bench's time. Shares are cumulative deadlines, so time one dataset leaves unused passes on
// to the next. ml-latest-small's budget lets item_knn, whose warm-up round fits into fresh memory
// (about 1.5 s in wasm, where its later rounds take under 1 s), time 3 warm rounds like every
// other cell instead of reporting its warm-up alone.
const BUDGETS = {
  notebook: { budgetMs: 1000, timeoutMs: 20_000, rows: 328, share: 0.05 },
  scaled: { budgetMs: 3000, timeoutMs: 60_000, rows: 99_000, share: 0.15 },
  'ml-latest-small': { budgetMs: 7000, timeoutMs: 60_000, rows: 100_226, share: 0.2 },
  'synthetic-1m': { budgetMs: 6000, timeoutMs: 75_000, rows: 992_771, share: 0.6 },
};
// Estimates scale a model's last cell by (rows ratio)^this: neighbour models grow faster than
// the rows, and an estimate that is too low costs a whole timeout.
const ROWS_EXPONENT = 1.2;
// wasm is expected within this factor of native when deciding whether a wasm cell can finish.
const WASM_SLOWDOWN_ESTIMATE = 1.5;

// ---- machine and build ------------------------------------------------------------------------

function firstLine(command, commandArgs) {
  try {
    return execFileSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return 'unknown';
  }
}

/** The compile and link flags ninja actually used (paths, includes and dependency files removed). */
function buildFlags(dir, target, compiled, linked) {
  let commands;
  try {
    commands = execFileSync('ninja', ['-C', join(root, dir), '-t', 'commands', target], { encoding: 'utf8' }).split(
      '\n',
    );
  } catch {
    return { compile: 'unknown', link: 'unknown' };
  }
  const flagsOf = (line) => {
    const words = (line ?? '').replace(/^: && /, '').split(/\s+/);
    const out = [];
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (['-I', '-isystem', '-MT', '-MF', '-o'].includes(w)) i++;
      else if (w.startsWith('-') && !/^-(I|MD|c$)/.test(w)) out.push(w);
    }
    return [...new Set(out)].join(' ');
  };
  return {
    compiler: (commands.find((c) => c.includes(compiled)) ?? '').split(/\s+/)[0],
    compile: flagsOf(commands.find((c) => c.includes(compiled))),
    link: flagsOf(commands.find((c) => linked.test(c))),
  };
}

const cpuModel = os.cpus()[0]?.model ?? 'unknown';
const machine = {
  cpu: cpuModel,
  cores: os.cpus().length,
  memory_gb: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  emscripten: `Emscripten ${firstLine('emcc', ['--version']).match(/\d+\.\d+\.\d+/)?.[0] ?? 'unknown'}`,
  native_compiler: firstLine('c++', ['--version']),
};
const build = {
  native: buildFlags('build/native', 'recwasm-bench', 'cpp/src/recommender.cpp', /-o recwasm-bench/),
  wasm: buildFlags('build/wasm', 'recwasm_wasm', 'cpp/src/recommender.cpp', /-o \S*recwasm\.mjs/),
};

// ---- the model x dataset matrix -----------------------------------------------------------------

await loadRecwasm();
const wasmKinds = Model.kinds();
const nativeKinds = JSON.parse(execFileSync(NATIVE_TOOL, ['--list'], { encoding: 'utf8' }));
const wantedModels = args.models?.split(',');
const kinds = [...new Set([...wasmKinds, ...nativeKinds])].filter((k) => !wantedModels || wantedModels.includes(k));
// The matrix's datasets (bench/datasets.mjs also has ones only suites use).
const datasetNames = Object.keys(BUDGETS).filter((d) => !args.datasets || args.datasets.split(',').includes(d));

const rows = [];
// `${side}:${model}` -> the cost of its last cell (a lower bound when it timed out), to skip
// cells that cannot finish instead of waiting for their timeout.
const lastCost = new Map();
const totalShare = datasetNames.reduce((sum, d) => sum + BUDGETS[d].share, 0);
let cumulativeShare = 0;
for (const dataset of datasetNames) {
  const { budgetMs, timeoutMs, rows: datasetRows, share } = BUDGETS[dataset];
  cumulativeShare += share;
  const datasetDeadline = startedAt + ((deadline - startedAt) * cumulativeShare) / totalShare;
  for (const model of kinds) {
    const row = { model, dataset };
    for (const side of ['native', 'wasm']) {
      const remaining = datasetDeadline - Date.now();
      const timeout = Math.min(timeoutMs, remaining);
      const kindsOfSide = side === 'native' ? nativeKinds : wasmKinds;
      const cellArgs = ['--model', model, '--data', dataset, '--repeats', String(repeats)];
      cellArgs.push('--budget-ms', String(budgetMs), '--datasets', datasetsDir);
      // Both sides of a pair time as many rounds: a fast native cell (see roundsWanted) times at
      // least FAST_ROUNDS, and so does its wasm twin, whatever the wasm warm-up took.
      if (side === 'wasm' && row.native?.warmup_ms < FAST_ROUND_MS) cellArgs.push('--min-repeats', String(FAST_ROUNDS));
      // The cell's expected fit + recommend-all time (loading the data comes on top): for wasm,
      // the native cell just measured; else this model's last cell scaled by rows.
      const previous = lastCost.get(`${side}:${model}`);
      let estimateMs = previous ? previous.ms * (datasetRows / previous.rows) ** ROWS_EXPONENT : 0;
      if (side === 'wasm' && row.native?.warmup_ms !== undefined) {
        estimateMs = row.native.warmup_ms * WASM_SLOWDOWN_ESTIMATE;
      }
      let result;
      const nativeGaveUp = side === 'wasm' && row.native?.skipped?.startsWith('over budget');
      if (!kindsOfSide.includes(model)) result = { skipped: `not in the ${side} build` };
      else if (nativeGaveUp) result = { skipped: 'over budget (native did not finish either)' };
      else if (remaining < 3000) result = { skipped: "over budget (the bench's time for this dataset ran out)" };
      else if (estimateMs > timeout) {
        result = {
          skipped: `over budget (estimated ${Math.round(estimateMs / 1000)} s > ${Math.round(timeout / 1000)} s)`,
        };
      } else result = await runCell(side, cellArgs, timeout);
      // Tiny datasets measure fixed overheads, not how a model scales: no estimates from them.
      if (result.warmup_ms !== undefined && result.rows >= 10_000) {
        lastCost.set(`${side}:${model}`, { ms: result.warmup_ms, rows: result.rows });
      }
      if (result.timedOut) lastCost.set(`${side}:${model}`, { ms: timeout, rows: datasetRows });
      row[side] = result;
    }
    const { native, wasm } = row;
    if (native.checksum !== undefined && wasm.checksum !== undefined && native.checksum !== wasm.checksum) {
      throw new Error(
        `${dataset}: the native and wasm datasets differ (checksums ${native.checksum} / ${wasm.checksum})`,
      );
    }
    if (native.fit_ms !== undefined && wasm.fit_ms !== undefined) {
      row.ratio = {
        fit: wasm.fit_ms / native.fit_ms,
        recommend_all: wasm.recommend_all_ms / native.recommend_all_ms,
      };
    }
    rows.push(row);
    process.stderr.write(`[bench] ${dataset} ${model}: ${cellSummary(row)}\n`);
  }
}

function cellSummary(row) {
  const part = (r) =>
    r.skipped ?? r.error ?? `fit ${fmtMs(r.fit_ms)} ms, recommend-all ${fmtMs(r.recommend_all_ms)} ms`;
  return `native ${part(row.native)}; wasm ${part(row.wasm)}`;
}

// ---- suites -----------------------------------------------------------------------------------

const suites = {};
const suiteMarkdown = [];
const suiteDir = join(root, 'bench/suites');
if (!args['no-suites'] && existsSync(suiteDir)) {
  for (const file of readdirSync(suiteDir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()) {
    const name = file.replace(/\.mjs$/, '');
    const started = Date.now();
    process.stderr.write(`[bench] suite ${name}\n`);
    try {
      const suite = await import(join(suiteDir, file));
      // secondsLeft: a hint of what remains of the 10 minutes `npm run bench` is meant to take.
      const secondsLeft = Math.max(0, 540 - (Date.now() - startedAt) / 1000);
      const { rows: suiteRows, markdown } = await suite.run({ root, repeats, secondsLeft });
      suites[name] = { seconds: (Date.now() - started) / 1000, rows: suiteRows };
      suiteMarkdown.push(markdown.trim());
    } catch (error) {
      suites[name] = { seconds: (Date.now() - started) / 1000, error: String(error?.stack ?? error) };
      suiteMarkdown.push(`### ${name}\n\nfailed: ${String(error?.message ?? error)}`);
    }
  }
}

// ---- output -----------------------------------------------------------------------------------

function fmtMs(v) {
  if (v === undefined || v === null) return '';
  if (v < 1) return v.toFixed(3);
  if (v < 100) return v.toFixed(1);
  return Math.round(v).toLocaleString('en-US');
}
const fmtRatio = (v) => (v === undefined ? '' : `${v.toFixed(v < 10 ? 2 : 0)}x`);
const fmtMb = (bytes) => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(1));
const fmtMetric = (v) => (v === undefined ? '' : v.toFixed(3));

function markdownTable(dataset) {
  const datasetRows = rows.filter((r) => r.dataset === dataset);
  const shape = datasetRows.map((r) => (r.native.rows ? r.native : r.wasm.rows ? r.wasm : null)).find(Boolean);
  const lines = [
    `### ${DATASETS[dataset].label}`,
    '',
    shape
      ? `Trained on the leave-one-out split (seed 42): ${shape.users.toLocaleString('en-US')} users, ${shape.items.toLocaleString('en-US')} items, ${shape.rows.toLocaleString('en-US')} training rows; recommend-all = top-10 for each of the ${shape.users.toLocaleString('en-US')} users.`
      : '',
    '',
    '| model | fit wasm ms | fit native ms | ratio | recommend-all wasm ms | recommend-all native ms | ratio | wasm heap MB | native peak RSS MB | P@10 | R@10 | runs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of datasetRows) {
    const { native: n, wasm: w } = r;
    const note = (x) => (x.skipped ? `skipped: ${x.skipped}` : x.error ? `failed: ${x.error}` : '');
    if (note(n) && note(w) && note(n) === note(w)) {
      lines.push(`| ${r.model} | ${note(n)} |||||||||||`);
      continue;
    }
    const quality = w.precision !== undefined ? w : n;
    const runs = [w, n]
      .map((x, i) => (note(x) ? `${i ? 'native' : 'wasm'} ${note(x)}` : `${x.runs}${x.cold ? ' (cold)' : ''}`))
      .join(' / ');
    lines.push(
      `| ${r.model} | ${fmtMs(w.fit_ms)} | ${fmtMs(n.fit_ms)} | ${fmtRatio(r.ratio?.fit)} | ` +
        `${fmtMs(w.recommend_all_ms)} | ${fmtMs(n.recommend_all_ms)} | ${fmtRatio(r.ratio?.recommend_all)} | ` +
        `${fmtMb(w.heap_peak_bytes)} | ${fmtMb(n.peak_rss_kb && n.peak_rss_kb * 1024)} | ` +
        `${fmtMetric(quality.precision)} | ${fmtMetric(quality.recall)} | ${runs} |`,
    );
  }
  return lines.join('\n');
}

const seconds = (Date.now() - startedAt) / 1000;
const markdown = [
  `## recwasm benchmark`,
  '',
  `${new Date(startedAt).toISOString()} · ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB · Node ${machine.node} · ${machine.emscripten} · ${machine.native_compiler}`,
  '',
  `Median of up to ${repeats} runs after one warm-up (at least 50 where the native warm-up took under 50 ms, on both sides), single thread; ratio = wasm / native; "runs" = timed runs (wasm / native), "cold" = only the warm-up fitted the budget. Wasm heap = the wasm Memory after the cell (it never shrinks), including the dataset; native = peak RSS of the process. Reproduce with \`npm run bench\` (${seconds.toFixed(0)} s here).`,
  '',
  `Flags: native \`${build.native.compile}\`; wasm \`${build.wasm.compile}\`, linked \`${build.wasm.link}\`.`,
  '',
  ...datasetNames.map((d) => markdownTable(d) + '\n'),
  ...suiteMarkdown.map((m) => m + '\n'),
].join('\n');

const results = {
  date: new Date(startedAt).toISOString(),
  command: 'npm run bench',
  seconds,
  machine,
  build,
  repeats,
  budgets: BUDGETS,
  datasets: Object.fromEntries(datasetNames.map((d) => [d, DATASETS[d].label])),
  rows,
  suites,
};
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(root, 'bench/results.md'), markdown);
console.log(markdown);
console.log(`wrote bench/results.json and bench/results.md (${seconds.toFixed(0)} s)`);

// ---- README -----------------------------------------------------------------------------------

/** The condensed tables README.md quotes, between its bench:begin and bench:end markers. */
function readmeBlock() {
  const cell = (r) => {
    const { native: n, wasm: w } = r;
    if (w.fit_ms === undefined) return w.skipped ? 'skipped (over budget)' : 'failed';
    const total = w.fit_ms + w.recommend_all_ms;
    const ratio = n.fit_ms === undefined ? '' : ` (${fmtRatio(total / (n.fit_ms + n.recommend_all_ms))})`;
    return `${fmtMs(w.fit_ms)} + ${fmtMs(w.recommend_all_ms)}${ratio}`;
  };
  const heap = (r) => (r.wasm.heap_peak_bytes === undefined ? '' : fmtMb(r.wasm.heap_peak_bytes));
  const table = (title, render) => [
    `| ${title} | ${datasetNames.map((d) => DATASETS[d].short).join(' | ')} |`,
    `|---|${datasetNames.map(() => '---:').join('|')}|`,
    ...kinds.map(
      (model) =>
        `| ${model} | ${datasetNames.map((d) => render(rows.find((r) => r.model === model && r.dataset === d))).join(' | ')} |`,
    ),
  ];
  return [
    `Measured ${results.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, ${machine.emscripten}, by \`npm run bench -- --readme\` (${seconds.toFixed(0)} s; full tables in bench/results.md).`,
    '',
    ...table('wasm fit + recommend-all ms (wasm / native)', cell),
    '',
    ...table('peak wasm heap MB', heap),
    '',
    ...suiteMarkdown.map((m) => m + '\n'),
  ].join('\n');
}

if (args.readme) {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const block = /(<!-- bench:begin -->)[\s\S]*?(<!-- bench:end -->)/;
  if (!block.test(readme)) throw new Error('README.md has no <!-- bench:begin --> ... <!-- bench:end --> block');
  writeFileSync(
    readmePath,
    readme.replace(block, (_, begin, end) => `${begin}\n${readmeBlock().trim()}\n${end}`),
  );
  console.log('updated the Performance figures in README.md');
}
