// Learned models (mf, two_tower): quality over the notebook's generator seeds 0..19, throughput
// on ml-latest-small in wasm (with and without SIMD) and natively, bit-identity of the builds,
// and the ratio against the same mf written with TensorFlow.js.
//
//   export async function run({ root, repeats }) -> { rows, markdown }
//
// Speed figures come from child processes (one module instance per build); quality runs here.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Model, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const SEEDS = 20;

/** Quality variants: the notebook's settings first, then the better variants. */
export const variants = [
  { model: 'mf', variant: 'notebook', options: {} },
  { model: 'mf', variant: 'lazy Adam', options: { updates: 'lazy' } },
  {
    model: 'mf',
    variant: 'SGD (batch 1, lr 0.03, l2 0.15, 30 epochs)',
    options: { optimizer: 'sgd', batchSize: 1, learningRate: 0.03, l2: 0.15, epochs: 30 },
  },
  { model: 'mf', variant: 'implicit (3 negatives, 30 epochs)', options: { objective: 'implicit', epochs: 30 } },
  { model: 'two_tower', variant: 'notebook', options: {} },
  { model: 'two_tower', variant: 'temperature 0.3', options: { temperature: 0.3 } },
  { model: 'two_tower', variant: 'in-batch softmax', options: { loss: 'softmax' } },
  { model: 'two_tower', variant: 'in-batch softmax, batch 64', options: { loss: 'softmax', batchSize: 64 } },
];

function quality(kind, options) {
  let precision = 0;
  let recall = 0;
  for (let seed = 0; seed < SEEDS; seed++) {
    const data = demoDataset({ seed });
    const split = leaveOneOut(data, { seed: 42 });
    const model = Model.create(kind, options);
    try {
      model.fit(split.train);
      const e = evaluate(model, split.test, { k: 10 });
      precision += e.precision / SEEDS;
      recall += e.recall / SEEDS;
    } finally {
      model.dispose();
      split.dispose();
      data.dispose();
    }
  }
  return { precision, recall };
}

function runJson(command, args, timeout = 600000) {
  try {
    return JSON.parse(execFileSync(command, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch (e) {
    return { skipped: String(e.message ?? e).split('\n')[0] };
  }
}

function numpyReference(root) {
  if (!existsSync('/usr/bin/python3')) return null;
  try {
    const splits = execFileSync('node', [`${root}bench/learned/dump_splits.mjs`, String(SEEDS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return JSON.parse(
      execFileSync('/usr/bin/python3', [`${root}bench/learned/reference_numpy.py`], {
        input: splits,
        encoding: 'utf8',
        timeout: 300000,
      }),
    );
  } catch {
    return null;
  }
}

const mega = (x) => (x / 1e6).toFixed(2);
const fixed = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

export async function run({ root, repeats = 3 } = {}) {
  root = root.endsWith('/') ? root : `${root}/`;
  await loadRecwasm();
  const rows = [];

  // ---- quality --------------------------------------------------------------------------
  for (const v of variants) {
    const q = quality(v.model, v.options);
    rows.push({
      suite: 'learned',
      kind: 'quality',
      model: v.model,
      variant: v.variant,
      options: v.options,
      seeds: SEEDS,
      ...q,
    });
  }
  const reference = numpyReference(root);
  if (reference) {
    for (const [key, value] of Object.entries(reference)) {
      rows.push({
        suite: 'learned',
        kind: 'quality-reference',
        implementation: 'numpy',
        model: key,
        seeds: SEEDS,
        ...value,
      });
    }
  }

  // ---- speed ----------------------------------------------------------------------------
  const speedScript = `${root}bench/learned/speed.mjs`;
  const tool = `${root}build/native/recwasm-learned-bench`;
  const ratings = `${root}../shared/datasets/ml-latest-small/ratings.csv`;
  const noSimd = `${root}build/wasm-nosimd/out/recwasm.wasm`;
  const reps = String(Math.max(1, Math.min(repeats, 3)));
  const speedCases = [
    { model: 'mf', label: 'mf (notebook settings; auto = lazy here)', options: {} },
    { model: 'mf', label: 'mf, dense Adam (Keras semantics), 2 epochs', options: { updates: 'dense', epochs: 2 } },
    { model: 'two_tower', label: 'two_tower (notebook settings)', options: {} },
    // After the indexed cases above (the markdown refers to speed[0..2]).
    {
      model: 'two_tower',
      label: 'two_tower, in-batch softmax (batch 64)',
      options: { loss: 'softmax', batchSize: 64 },
    },
    {
      model: 'mf',
      label: 'mf, per-rating SGD (the mf:sgd variant)',
      options: { optimizer: 'sgd', batchSize: 1, learningRate: 0.03, l2: 0.15, epochs: 30 },
    },
  ];
  const speed = [];
  for (const c of speedCases) {
    const wasm = runJson('node', [speedScript, root, c.model, JSON.stringify(c.options), reps]);
    const wasmNoSimd =
      existsSync(noSimd) && c.options.updates !== 'dense'
        ? runJson('node', [speedScript, root, c.model, JSON.stringify(c.options), '1', noSimd])
        : null;
    let native = null;
    if (existsSync(tool) && existsSync(ratings)) {
      const sets = Object.entries(c.options).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
      const runs = [];
      for (let r = 0; r < Number(reps); r++)
        runs.push(runJson(tool, ['--model', c.model, '--ratings', ratings, ...sets]));
      const ok = runs.filter((x) => x.epochs);
      if (ok.length) {
        const rates = ok.flatMap((x) => x.epochs.map((e) => e.examplesPerSecond)).sort((a, b) => a - b);
        const seconds = ok.map((x) => x.seconds).sort((a, b) => a - b);
        const cpu = ok.map((x) => x.cpuSeconds).sort((a, b) => a - b);
        native = {
          examplesPerSecond: rates[rates.length >> 1],
          bestExamplesPerSecond: rates.at(-1),
          fitSeconds: seconds[seconds.length >> 1],
          cpuFitSeconds: cpu[cpu.length >> 1],
          hash: ok[0].snapshotHash,
        };
        if (wasm.examplesPerEpoch) {
          native.cpuExamplesPerSecond = (wasm.examplesPerEpoch * wasm.epochs) / native.cpuFitSeconds;
        }
      }
    }
    const row = {
      suite: 'learned',
      kind: 'speed',
      model: c.model,
      variant: c.label,
      options: c.options,
      dataset: 'ml-latest-small',
      wasm,
      wasmNoSimd,
      native,
    };
    rows.push(row);
    speed.push(row);
  }

  // ---- TensorFlow.js ---------------------------------------------------------------------
  // Two ways to write the lookups: tf.gather (Keras' Embedding; its gradient is very slow on
  // the CPU backend, so one batch is timed) and one-hot matmuls (three batches).
  const wasmMf = speed[0].wasm;
  const wasmDense = speed[1].wasm;
  const rowsPerEpoch = wasmMf.rows ?? 100836;
  const wasmEpochSeconds = rowsPerEpoch / wasmMf.examplesPerSecond;
  const wasmDenseEpochSeconds = rowsPerEpoch / wasmDense.examplesPerSecond;
  const tfjsRows = [];
  for (const [lookup, batches] of [
    ['gather', process.env.RECWASM_BENCH_TFJS_BATCHES ?? '1'],
    ['onehot', '3'],
  ]) {
    const tfjs = runJson('node', [`${root}bench/learned/tfjs-mf.mjs`, root, String(batches), lookup], 900000);
    const row = { suite: 'learned', kind: 'tfjs', model: 'mf', lookup, tfjs, wasmEpochSeconds, wasmDenseEpochSeconds };
    row.ratio = tfjs.epochSeconds / wasmEpochSeconds;
    row.ratioDense = tfjs.epochSeconds / wasmDenseEpochSeconds;
    rows.push(row);
    tfjsRows.push(row);
  }

  // ---- markdown --------------------------------------------------------------------------
  const md = [];
  md.push(`### Learned models: quality (mean over generator seeds 0..${SEEDS - 1}, split seed 42, k = 10)`);
  md.push('');
  md.push('| model | variant | P@10 | R@10 |');
  md.push('|---|---|---:|---:|');
  for (const r of rows.filter((r) => r.kind === 'quality'))
    md.push(`| ${r.model} | ${r.variant} | ${fixed(r.precision)} | ${fixed(r.recall)} |`);
  for (const r of rows.filter((r) => r.kind === 'quality-reference'))
    md.push(`| ${r.model} | independent numpy implementation | ${fixed(r.precision)} | ${fixed(r.recall)} |`);
  md.push('');
  md.push("The notebook's single TensorFlow runs: mf 0.047 / 0.467, two_tower 0.050 / 0.500.");
  md.push('');
  md.push('### Learned models: training speed on ml-latest-small (100,836 ratings, single thread)');
  md.push('');
  md.push(
    '| model | wasm M ex/s: median epoch (best) | wasm M ex/s by CPU time | wasm no-SIMD M ex/s | native M ex/s: median (best) | native by CPU time | wasm / native (CPU time) | wasm fit s | bit-identical |',
  );
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of speed) {
    const w = r.wasm;
    const n = r.native;
    if (!w.examplesPerSecond) {
      md.push(`| ${r.variant} | ${w.skipped ?? 'n/a'} | | | | | | | |`);
      continue;
    }
    md.push(
      `| ${r.variant} | ${mega(w.examplesPerSecond)} (${mega(w.bestExamplesPerSecond)}) | ${mega(w.cpuExamplesPerSecond)} | ${
        r.wasmNoSimd?.examplesPerSecond ? mega(r.wasmNoSimd.examplesPerSecond) : 'n/a'
      } | ${n ? `${mega(n.examplesPerSecond)} (${mega(n.bestExamplesPerSecond)})` : 'n/a'} | ${
        n?.cpuExamplesPerSecond ? mega(n.cpuExamplesPerSecond) : 'n/a'
      } | ${n ? fixed(w.cpuFitSeconds / n.cpuFitSeconds, 2) : 'n/a'} | ${fixed(w.fitSeconds, 3)} | ${
        n ? (n.hash === w.hash ? 'yes' : 'NO') : 'n/a'
      } |`,
    );
  }
  const mf = speed[0];
  const tt = speed[2];
  if (mf.wasm.examplesPerSecond && tt.wasm.examplesPerSecond) {
    const check = (ok) => (ok ? 'met' : 'NOT met');
    md.push('');
    md.push('Targets (single thread, wall clock):');
    md.push(
      `- mf >= 5 M ratings/s per epoch in wasm: median epoch ${mega(mf.wasm.examplesPerSecond)}, best ${mega(
        mf.wasm.bestExamplesPerSecond,
      )} (${check(mf.wasm.examplesPerSecond >= 5e6)} at the median)`,
    );
    if (mf.native) {
      const ratio = mf.wasm.cpuFitSeconds / mf.native.cpuFitSeconds;
      md.push(
        `- wasm within 1.6x of native: ${fixed(ratio, 2)}x by CPU time, ${fixed(
          mf.native.examplesPerSecond / mf.wasm.examplesPerSecond,
          2,
        )}x by median epoch (${check(ratio <= 1.6)})`,
      );
    }
    md.push(
      `- two_tower >= 2 M examples/s: median epoch ${mega(tt.wasm.examplesPerSecond)}, best ${mega(
        tt.wasm.bestExamplesPerSecond,
      )} (${check(tt.wasm.examplesPerSecond >= 2e6)} at the median)`,
    );
    md.push(`- 10 epochs of mf < 1 s in wasm: ${fixed(mf.wasm.fitSeconds, 3)} s (${check(mf.wasm.fitSeconds < 1)})`);
    md.push(
      `- machine load while measuring (1-minute average): ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
    );
  }
  md.push('');
  md.push('The same mf written with TensorFlow.js (pure-JS CPU backend), one epoch extrapolated from timed batches:');
  md.push('');
  md.push(
    "| TF.js lookups | s per batch of 256 | s per epoch | recwasm wasm faster (default) | (dense Adam, TF.js's update rule) |",
  );
  md.push('|---|---:|---:|---:|---:|');
  for (const r of tfjsRows) {
    const t = r.tfjs;
    if (!t.epochSeconds) {
      md.push(`| ${r.lookup} | ${t.skipped ?? 'n/a'} | | | |`);
      continue;
    }
    md.push(
      `| ${r.lookup === 'gather' ? "tf.gather (as Keras' Embedding)" : 'one-hot matmul'} | ${fixed(t.batchSeconds, 2)} | ${fixed(
        t.epochSeconds,
        0,
      )} | ${fixed(r.ratio, 0)}x | ${fixed(r.ratioDense, 0)}x |`,
    );
  }
  md.push('');
  md.push(
    `recwasm's wasm epoch: ${fixed(wasmEpochSeconds, 3)} s by default (lazy Adam here), ${fixed(wasmDenseEpochSeconds, 3)} s with dense Adam (median epochs).`,
  );
  return { rows, markdown: md.join('\n') };
}
