// ml-latest-small's ratings.csv as columns (userId, movieId, rating), parsed here so that the
// learned-model benchmarks do not depend on a data loader.
import { existsSync, readFileSync } from 'node:fs';

export function ratingsPath(root) {
  return new URL('../shared/datasets/ml-latest-small/ratings.csv', `file://${root.endsWith('/') ? root : `${root}/`}`)
    .pathname;
}

export function readRatings(path) {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split('\n');
  const n = lines.length - 1;
  const users = new Float64Array(n);
  const items = new Float64Array(n);
  const ratings = new Float64Array(n);
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    const c = line.indexOf(',', b + 1);
    users[rows] = Number(line.slice(0, a));
    items[rows] = Number(line.slice(a + 1, b));
    ratings[rows] = Number(line.slice(b + 1, c < 0 ? undefined : c));
    rows++;
  }
  return { users: users.subarray(0, rows), items: items.subarray(0, rows), ratings: ratings.subarray(0, rows) };
}
