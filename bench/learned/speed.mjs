// Times one learned model in wasm (this process) on ml-latest-small, every row as training data:
//   node bench/learned/speed.mjs ROOT MODEL OPTIONS_JSON REPEATS [WASM_FILE]
// WASM_FILE swaps in another build of the module (e.g. one without SIMD). Prints one JSON
// object: per-epoch examples/s (the model's own timing of its training work), the wall time of
// whole fits, and an FNV-1a hash of the snapshot (to compare builds bit for bit).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, Model, loadRecwasm } from 'recwasm';

const [root, kind, optionsJson, repeatsText, wasmFile] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
const repeats = Number(repeatsText ?? 3);
await loadRecwasm(wasmFile ? { wasmBinary: readFileSync(wasmFile) } : {});
const ratingsFile = join(root, '..', 'shared', 'datasets', 'ml-latest-small', 'ratings.csv');
if (!existsSync(ratingsFile)) {
  process.stdout.write(JSON.stringify({ skipped: 'ml-latest-small not found' }));
  process.exit(0);
}
const data = Dataset.fromMovieLens({ ratings: readFileSync(ratingsFile) });
const columns = data.toArrays();
// Examples per epoch: ratings for mf; (user, item) pairs with their negatives otherwise.
const pairs = new Set(Array.from(columns.users, (u, i) => `${u},${columns.items[i]}`)).size;
const implicit = kind === 'two_tower' ? options.loss !== 'softmax' : options.objective === 'implicit';
const examplesPerEpoch =
  kind === 'mf' && !implicit ? columns.users.length : pairs * (implicit ? 1 + (options.negatives ?? 3) : 1);
const epochs = options.epochs ?? 10;

const fnv1a = (bytes) => {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
};
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const epochRates = [];
const fitSeconds = [];
const cpuSeconds = [];
let hash = '';
let loss = NaN;
for (let r = 0; r <= repeats; r++) {
  const model = Model.create(kind, options);
  try {
    const rates = [];
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const done = model.fit(data, {
      batchesPerSlice: 1 << 20,
      onProgress: (p) => {
        if (p.epochEnded) rates.push(p.examplesPerSecond);
      },
    });
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    if (r === 0) continue; // warm-up
    epochRates.push(...rates);
    fitSeconds.push(seconds);
    cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    loss = done.loss;
    hash = fnv1a(model.save());
  } finally {
    model.dispose();
  }
}
data.dispose();
process.stdout.write(
  JSON.stringify({
    model: kind,
    options,
    rows: columns.users.length,
    examplesPerSecond: median(epochRates),
    bestExamplesPerSecond: Math.max(...epochRates),
    fitSeconds: median(fitSeconds),
    // CPU time of the whole fit: on a machine shared with other work the steadier measure.
    cpuFitSeconds: median(cpuSeconds),
    examplesPerEpoch,
    epochs,
    cpuExamplesPerSecond: (examplesPerEpoch * epochs) / median(cpuSeconds),
    loss,
    hash,
  }),
);
