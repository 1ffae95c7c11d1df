// The bench datasets on the wasm side, built through the public API. Each is the twin of the
// one in cpp/tools/recwasm_bench.cpp: run.mjs compares the checksums of both sides' training
// rows, so a drift between the twins fails the bench instead of skewing it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, demoDataset } from 'recwasm';

export const DATASETS = {
  notebook: {
    label: 'notebook (30 users x 60 items, 358 ratings)',
    short: 'notebook 30 x 60',
    load: () => demoDataset(),
  },
  'notebook-100x200': {
    label: "the notebook's generator at 100 users x 200 items",
    short: 'notebook 100 x 200',
    load: () => demoDataset({ users: 100, items: 200 }),
  },
  scaled: {
    label: 'generator scaled (1,000 users x 1,700 items x 100 ratings)',
    short: 'generator 1,000 x 1,700',
    load: () => demoDataset({ users: 1000, items: 1700, ratingsPerUser: 100 }),
  },
  'ml-latest-small': {
    label: 'ml-latest-small (610 users, 9,742 items, 100,836 ratings)',
    short: 'ml-latest-small',
    load: ({ datasetsDir }) => loadMovieLens(join(datasetsDir, 'ml-latest-small')),
  },
  'synthetic-1m': {
    label: 'synthetic (7,229 users x 5,000 items, 1,000,000 ratings, power-law popularity)',
    short: 'synthetic 1M',
    load: () => syntheticDataset(),
  },
};

// ---- MovieLens, through the data layer's loader (DESIGN.md "The same rules on real data") ----

function loadMovieLens(dir) {
  const read = (name) => readFileSync(join(dir, name));
  return Dataset.fromMovieLens({ ratings: read('ratings.csv'), movies: read('movies.csv'), tags: read('tags.csv') });
}

// ---- a synthetic 1,000,000-rating set (the same rows as recwasm_bench.cpp) -------------------

/** Mulberry32 in 32-bit integer arithmetic, bit for bit the C++ one. */
function mulberry32(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => next() / 4294967296;
}

/**
 * Users with 20-380 ratings (more often few), items drawn with power-law popularity (index ~
 * n * r^1.5), no user rating an item twice, ratings from an item quality plus noise, sessions
 * of ten ratings an hour or more apart.
 */
function syntheticDataset(targetRows = 1_000_000, numItems = 5000) {
  const uniform = mulberry32(20240601);
  const quality = new Int32Array(numItems);
  const text = [];
  for (let i = 0; i < numItems; i++) {
    quality[i] = Math.floor(uniform() * 5);
    const words = [];
    for (let w = 0; w < 6; w++) {
      const r = uniform();
      words.push(`w${Math.floor(2000 * r * r)}`);
    }
    text.push(words.join(' '));
  }
  const users = new Float64Array(targetRows);
  const items = new Float64Array(targetRows);
  const ratings = new Float64Array(targetRows);
  const timestamps = new Float64Array(targetRows);
  const sessions = [];
  const ratedBy = new Float64Array(numItems).fill(-1);
  let rows = 0;
  for (let user = 0; rows < targetRows; user++) {
    const r = uniform();
    const count = Math.min(20 + Math.floor(360 * r * r), targetRows - rows);
    for (let j = 0; j < count; j++) {
      let item;
      do {
        const x = uniform();
        item = Math.min(numItems - 1, Math.floor(numItems * x * Math.sqrt(x)));
      } while (ratedBy[item] === user);
      ratedBy[item] = user;
      const noise = Math.floor(uniform() * 5) - 2;
      users[rows] = user;
      items[rows] = item;
      ratings[rows] = Math.min(5, Math.max(0.5, 1 + quality[item] + 0.5 * noise));
      timestamps[rows] = 1e9 + user * 100000 + j * 60 + Math.floor(j / 10) * 7200;
      rows++;
      if (j % 10 === 0) sessions.push([]);
      sessions.at(-1).push(item);
    }
  }
  const catalogue = Array.from({ length: numItems }, (_, i) => i);
  const data = Dataset.fromArrays({ users, items, ratings, timestamps, catalogue: { items: catalogue } });
  data.setItemText(text);
  data.setSessions(sessions);
  return data;
}

/** FNV-1a over (user id, item id, 2 x rating) of every row, then the session lengths. */
export function checksum(data) {
  let h = 2166136261;
  const mix = (word) => {
    h = Math.imul(h ^ word, 16777619) >>> 0;
  };
  const { users, items, ratings } = data.toArrays();
  for (let r = 0; r < users.length; r++) {
    mix(users[r] | 0);
    mix(items[r] | 0);
    mix(Math.round(ratings[r] * 2));
  }
  for (const session of data.sessions() ?? []) mix(session.length);
  return h >>> 0;
}
