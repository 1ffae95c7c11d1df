// MovieLens ml-latest-small as a Dataset, read with a few lines of JS for tests and benches
// (DESIGN.md, "The same rules on real data"): every movie in the catalogue, item text = title,
// genres with "|" as spaces, then the movie's tags in file order.
import { readFileSync } from 'node:fs';
import { Dataset } from 'recwasm';

export const movieLensDir = new URL('../../../shared/datasets/ml-latest-small', import.meta.url).pathname;

/** RFC 4180 rows (quoted fields, doubled quotes), header first. */
export function readCsv(path) {
  const text = readFileSync(path, 'utf8');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows.slice(1);
}

/** MovieLens as DESIGN.md describes it: all movies in the catalogue; text = title, genres, tags. */
export function movieLensDataset(dir = movieLensDir) {
  const ratings = readCsv(`${dir}/ratings.csv`);
  const movies = readCsv(`${dir}/movies.csv`);
  const tags = readCsv(`${dir}/tags.csv`);
  const data = Dataset.fromArrays({
    users: ratings.map((r) => Number(r[0])),
    items: ratings.map((r) => Number(r[1])),
    ratings: ratings.map((r) => Number(r[2])),
    timestamps: ratings.map((r) => Number(r[3])),
    catalogue: { items: movies.map((m) => Number(m[0])) },
  });
  const parts = new Map(Array.from(data.itemIds(), (id) => [id, []]));
  for (const [id, title, genres] of movies) parts.get(Number(id)).push(title, genres.replaceAll('|', ' '));
  for (const [, id, tag] of tags) parts.get(Number(id)).push(tag);
  data.setItemText(Array.from(data.itemIds(), (id) => parts.get(id).join(' ')));
  return data;
}

/**
 * Sessions as DESIGN.md defines them: each user's ratings by timestamp (file order among equal
 * timestamps), a new session after a gap of more than `gap` seconds; users ascending.
 */
export function timestampSessions(data, gap = 3600) {
  const rows = data.toArrays();
  const byUser = new Map();
  for (let r = 0; r < rows.users.length; r++) {
    if (!byUser.has(rows.users[r])) byUser.set(rows.users[r], []);
    byUser.get(rows.users[r]).push(r);
  }
  const sessions = [];
  for (const user of [...byUser.keys()].sort((a, b) => a - b)) {
    const order = byUser.get(user).sort((a, b) => rows.timestamps[a] - rows.timestamps[b] || a - b);
    let session = [];
    order.forEach((r, i) => {
      if (i > 0 && rows.timestamps[r] - rows.timestamps[order[i - 1]] > gap) {
        sessions.push(session);
        session = [];
      }
      session.push(rows.items[r]);
    });
    if (session.length > 0) sessions.push(session);
  }
  return sessions;
}
