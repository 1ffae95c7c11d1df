import { readFileSync } from 'node:fs';
import { Dataset, Model, loadRecwasm } from 'recwasm';
await loadRecwasm();
const dir = '/work/shared/datasets/ml-latest-small/';
const lines = readFileSync(dir + 'ratings.csv', 'utf8').trim().split('\n').slice(1);
const users = new Float64Array(lines.length), items = new Float64Array(lines.length), ratings = new Float64Array(lines.length);
lines.forEach((l, k) => { const [u, i, r] = l.split(','); users[k] = +u; items[k] = +i; ratings[k] = +r; });
const movies = readFileSync(dir + 'movies.csv', 'utf8').trim().split('\n').slice(1).map((l) => +l.split(',')[0]);
const data = Dataset.fromArrays({ users, items, ratings, catalogue: { items: movies } });
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const kinds = process.argv.slice(2);
for (const spec of kinds) {
  const [kind, opt] = spec.split(':');
  const options = opt ? { maxStoredNeighbors: Number(opt) } : {};
  for (let rep = 0; rep < 2; rep++) {
    const m = Model.create(kind, options);
    let t = cpu(), w = performance.now();
    m.fit(data);
    const fitCpu = cpu() - t, fitWall = performance.now() - w;
    t = cpu(); w = performance.now();
    for (const u of data.userIds()) m.recommend(u, { k: 10 });
    console.log(spec, 'fit cpu', fitCpu.toFixed(0), 'wall', fitWall.toFixed(0), 'recommend-all cpu', (cpu() - t).toFixed(0), 'wall', (performance.now() - w).toFixed(0));
    m.dispose();
  }
}
