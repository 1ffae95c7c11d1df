// Writes the notebook's train/test split for generator seeds 0..N-1 (split seed 42) as JSON on
// stdout, for the numpy reference implementation (reference_numpy.py).
import { demoDataset, leaveOneOut, loadRecwasm } from 'recwasm';

await loadRecwasm();
const seeds = Number(process.argv[2] ?? 20);
const out = [];
for (let seed = 0; seed < seeds; seed++) {
  const data = demoDataset({ seed });
  const split = leaveOneOut(data, { seed: 42 });
  const rows = (d) => {
    const a = d.toArrays();
    return { users: Array.from(a.users), items: Array.from(a.items), ratings: Array.from(a.ratings) };
  };
  out.push({ seed, users: data.userCount, items: data.itemCount, train: rows(split.train), test: rows(split.test) });
  split.dispose();
  data.dispose();
}
process.stdout.write(JSON.stringify(out));
