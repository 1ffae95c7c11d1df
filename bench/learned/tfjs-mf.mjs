// The notebook's mf written with TensorFlow.js (pure-JS CPU backend), timed on ml-latest-small:
//   node bench/learned/tfjs-mf.mjs ROOT [batches] [lookup]
// lookup "gather" (default): embedding rows by tf.gather, as Keras' Embedding layer does (its
// gradient, an unsorted segment sum over the whole table, dominates on the CPU backend);
// "onehot": one-hot matrices times the tables instead (dense matmuls, no gather gradient).
// Times `batches` training steps after one warm-up step and extrapolates to one epoch (a full
// epoch takes far too long); prints one JSON object.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, loadRecwasm } from 'recwasm';

const root = process.argv[2] ?? new URL('../..', import.meta.url).pathname;
const batchesToTime = Number(process.argv[3] ?? 4);
const lookup = process.argv[4] ?? 'gather';
const ratingsFile = join(root, '..', 'shared', 'datasets', 'ml-latest-small', 'ratings.csv');
if (!existsSync(ratingsFile)) {
  process.stdout.write(JSON.stringify({ skipped: 'ml-latest-small not found' }));
  process.exit(0);
}
// recwasm's loader reads the file; TensorFlow.js trains on the same rows.
await loadRecwasm();
const dataset = Dataset.fromMovieLens({ ratings: readFileSync(ratingsFile) });
const data = dataset.toArrays();
dataset.dispose();
await tf.setBackend('cpu');
await tf.ready();

const dense = (ids) => {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const index = new Map(sorted.map((id, i) => [id, i]));
  return { count: sorted.length, ids: Int32Array.from(ids, (id) => index.get(id)) };
};
const users = dense(data.users);
const items = dense(data.items);
const ratings = Float32Array.from(data.ratings);
const n = ratings.length;
const k = 32;
const batch = 256;

// Keras' Embedding initialisation and the notebook's variables.
const P = tf.variable(tf.randomUniform([users.count, k], -0.05, 0.05, 'float32', 1));
const Q = tf.variable(tf.randomUniform([items.count, k], -0.05, 0.05, 'float32', 2));
const bu = tf.variable(tf.randomUniform([users.count], -0.05, 0.05, 'float32', 3));
const bi = tf.variable(tf.randomUniform([items.count], -0.05, 0.05, 'float32', 4));
const mu = tf.variable(tf.scalar(ratings.reduce((s, r) => s + r, 0) / n));
const variables = [P, Q, bu, bi, mu];
const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-7);

const order = tf.util.createShuffledIndices(n);
function step(b) {
  const rows = order.slice(b * batch, Math.min(n, (b + 1) * batch));
  const u = tf.tensor1d(
    Int32Array.from(rows, (r) => users.ids[r]),
    'int32',
  );
  const i = tf.tensor1d(
    Int32Array.from(rows, (r) => items.ids[r]),
    'int32',
  );
  const r = tf.tensor1d(Float32Array.from(rows, (x) => ratings[x]));
  const loss = optimizer.minimize(
    () => {
      let pu, qi, bu_, bi_;
      if (lookup === 'onehot') {
        const ou = tf.oneHot(u, users.count).toFloat();
        const oi = tf.oneHot(i, items.count).toFloat();
        pu = tf.matMul(ou, P);
        qi = tf.matMul(oi, Q);
        bu_ = tf.squeeze(tf.matMul(ou, tf.expandDims(bu, 1)), [1]);
        bi_ = tf.squeeze(tf.matMul(oi, tf.expandDims(bi, 1)), [1]);
      } else {
        pu = tf.gather(P, u);
        qi = tf.gather(Q, i);
        bu_ = tf.gather(bu, u);
        bi_ = tf.gather(bi, i);
      }
      const dot = tf.sum(tf.mul(pu, qi), 1);
      const pred = tf.add(tf.add(tf.add(mu, bu_), bi_), dot);
      const mse = tf.mean(tf.square(tf.sub(r, pred)));
      const l2 = tf.addN(variables.map((v) => tf.div(tf.sum(tf.square(v)), 2)));
      return tf.add(mse, tf.mul(l2, 1e-5));
    },
    true,
    variables,
  );
  const value = loss.dataSync()[0];
  tf.dispose([u, i, r, loss]);
  return value;
}

step(0); // warm-up: kernels, first allocation
const start = performance.now();
let last = 0;
for (let b = 1; b <= batchesToTime; b++) last = step(b);
const batchSeconds = (performance.now() - start) / 1000 / batchesToTime;
const batches = Math.ceil(n / batch);
process.stdout.write(
  JSON.stringify({
    backend: tf.getBackend(),
    lookup,
    version: tf.version.tfjs,
    rows: n,
    batchesTimed: batchesToTime,
    batchSeconds,
    epochSeconds: batchSeconds * batches,
    extrapolated: batchesToTime < batches,
    loss: last,
  }),
);
