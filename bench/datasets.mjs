// The bench datasets on the wasm side, built through the public API. Each is the twin of the
// one in cpp/tools/recwasm_bench.cpp: run.mjs compares the checksums of both sides' training
// rows, so a drift between the twins fails the bench instead of skewing it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, demoDataset } from 'recwasm';

export const DATASETS = {
  notebook: {
    label: 'notebook (30 users x 60 items, 358 ratings)',
    load: () => demoDataset(),
  },
  scaled: {
    label: 'generator scaled (1,000 users x 1,700 items x 100 ratings)',
    load: () => demoDataset({ users: 1000, items: 1700, ratingsPerUser: 100 }),
  },
  'ml-latest-small': {
    label: 'ml-latest-small (610 users, 9,742 items, 100,836 ratings)',
    load: ({ datasetsDir }) => loadMovieLens(join(datasetsDir, 'ml-latest-small')),
  },
  'synthetic-1m': {
    label: 'synthetic (7,229 users x 5,000 items, 1,000,000 ratings, power-law popularity)',
    load: () => syntheticDataset(),
  },
};

// ---- MovieLens (until the data layer's loader lands: then this calls Dataset.fromMovieLens) --

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** DESIGN.md "The same rules on real data": catalogue, item text and sessions. */
function loadMovieLens(dir) {
  const lines = readFileSync(join(dir, 'ratings.csv'), 'utf8').split(/\r?\n/);
  const n = lines.length - 1 - (lines.at(-1) === '' ? 1 : 0);
  const users = new Float64Array(n);
  const items = new Float64Array(n);
  const ratings = new Float64Array(n);
  const timestamps = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const [u, i, v, t] = lines[r + 1].split(',');
    users[r] = Number(u);
    items[r] = Number(i);
    ratings[r] = Number(v);
    timestamps[r] = Number(t);
  }
  const titleAndGenres = new Map();
  const movieIds = [];
  for (const [id, title, genres] of parseCsv(readFileSync(join(dir, 'movies.csv'), 'utf8')).slice(1)) {
    movieIds.push(Number(id));
    titleAndGenres.set(Number(id), `${title} ${genres.replaceAll('|', ' ')}`);
  }
  const tags = new Map();
  for (const [, id, tag] of parseCsv(readFileSync(join(dir, 'tags.csv'), 'utf8')).slice(1)) {
    tags.set(Number(id), (tags.get(Number(id)) ?? '') + ' ' + tag);
  }
  const data = Dataset.fromArrays({ users, items, ratings, timestamps, catalogue: { items: movieIds } });
  const itemIds = data.itemIds();
  data.setItemText(Array.from(itemIds, (id) => (titleAndGenres.get(id) ?? '') + (tags.get(id) ?? '')));

  // Sessions: each user's ratings by time (file order among equal times), cut at gaps > 1 h.
  const rowsOf = new Map();
  for (let r = 0; r < n; r++) {
    if (!rowsOf.has(users[r])) rowsOf.set(users[r], []);
    rowsOf.get(users[r]).push(r);
  }
  const sessions = [];
  for (const user of [...rowsOf.keys()].sort((a, b) => a - b)) {
    const rows = rowsOf.get(user).sort((a, b) => timestamps[a] - timestamps[b] || a - b);
    rows.forEach((row, k) => {
      if (k === 0 || timestamps[row] - timestamps[rows[k - 1]] > 3600) sessions.push([]);
      sessions.at(-1).push(items[row]);
    });
  }
  data.setSessions(sessions);
  return data;
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
