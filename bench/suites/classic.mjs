// Classic models on MovieLens ml-latest-small in wasm: fit on the leave-one-out training rows,
// then recommend top-10 for every user. Prints wall and CPU milliseconds (best of N runs after a
// warm-up; CPU time is what the process spent, so it stays meaningful on a busy machine).
//
//   node bench/suites/classic.mjs [repeats]
import { Model, leaveOneOut, loadRecwasm } from 'recwasm';
import { movieLensDataset, timestampSessions } from '../../tests/js/movielens.mjs';

const repeats = Number(process.argv[2] ?? 5);
const models = ['popularity', 'content_tfidf', 'covisitation'];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

await loadRecwasm();
const data = movieLensDataset();
data.setSessions(timestampSessions(data));
const split = leaveOneOut(data, { seed: 42 });
const users = split.train.userIds();
const rows = [];
for (const kind of models) {
  const best = { fit: Infinity, fitCpu: Infinity, recommend: Infinity, recommendCpu: Infinity };
  for (let r = 0; r <= repeats; r++) {
    const model = Model.create(kind);
    try {
      let wall = performance.now();
      let cpu = cpuMs();
      model.fit(split.train);
      const fit = performance.now() - wall;
      const fitCpu = cpuMs() - cpu;
      wall = performance.now();
      cpu = cpuMs();
      for (const user of users) model.recommend(user, { k: 10 });
      const recommend = performance.now() - wall;
      const recommendCpu = cpuMs() - cpu;
      if (r === 0) continue;
      best.fit = Math.min(best.fit, fit);
      best.fitCpu = Math.min(best.fitCpu, fitCpu);
      best.recommend = Math.min(best.recommend, recommend);
      best.recommendCpu = Math.min(best.recommendCpu, recommendCpu);
    } finally {
      model.dispose();
    }
  }
  rows.push({ kind, ...best });
}
split.dispose();
data.dispose();

const ms = (v) => v.toFixed(1).padStart(9);
console.log(`ml-latest-small, ${users.length} users, wasm, best of ${repeats}`);
console.log('model            fit ms  fit cpu  rec-all ms  rec cpu   total ms  total cpu');
for (const r of rows) {
  console.log(
    `${r.kind.padEnd(14)}${ms(r.fit)}${ms(r.fitCpu)}${ms(r.recommend)}${ms(r.recommendCpu)}  ` +
      `${ms(r.fit + r.recommend)}${ms(r.fitCpu + r.recommendCpu)}`,
  );
}
