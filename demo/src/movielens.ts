// MovieLens files dropped on the page: recognising which file is which, and the movie titles,
// genres and tags the page displays. Building the Dataset follows ../shared/DESIGN.md ("The same
// rules on real data") so the figures match the CLI's on the same files.
import { Dataset } from 'recwasm';

export interface MovieLensFiles {
  ratings: string;
  movies?: string;
  tags?: string;
  /** The file names, for the page's summary. */
  names: string[];
}

export type MovieLensFileKind = 'ratings' | 'movies' | 'tags';

/** Parses CSV (RFC 4180 quoting, CRLF or LF, optional BOM); calls `row` with each line's fields. */
export function parseCsv(text: string, row: (fields: string[], line: number) => void): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const fields: string[] = [];
    const startLine = line;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new Error(`line ${startLine}: unterminated quoted field`);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (i < n && text[i] !== '\n') throw new Error(`line ${startLine}: unexpected character after a quoted field`);
    i++;
    line++;
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    row(fields, startLine);
  }
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '').toLowerCase();
}

/** Which MovieLens file this is, from its header (or u.data's tab-separated shape); null if none. */
export function detectMovieLensFile(text: string): MovieLensFileKind | null {
  const header = firstLine(text);
  const columns = header.split(',').map((c) => c.trim());
  if (columns.includes('movieid') && columns.includes('title')) return 'movies';
  if (columns.includes('movieid') && columns.includes('tag')) return 'tags';
  if (columns.includes('userid') && columns.includes('movieid') && columns.includes('rating')) return 'ratings';
  if (/^\d+\t\d+\t[\d.]+\t\d+$/.test(header)) return 'ratings'; // MovieLens 100k's u.data
  return null;
}

function number(text: string | undefined, what: string, line: number): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw new Error(`line ${line}: ${what} '${text ?? ''}' is not a number`);
  }
  return value;
}

interface RatingRows {
  users: number[];
  items: number[];
  ratings: number[];
  timestamps: number[];
}

function parseRatings(text: string, fileName: string): RatingRows {
  const rows: RatingRows = { users: [], items: [], ratings: [], timestamps: [] };
  const tabSeparated = detectMovieLensFile(text) === 'ratings' && !firstLine(text).includes(',');
  const add = (fields: string[], line: number) => {
    rows.users.push(number(fields[0], 'userId', line));
    rows.items.push(number(fields[1], 'movieId', line));
    rows.ratings.push(number(fields[2], 'rating', line));
    rows.timestamps.push(number(fields[3], 'timestamp', line));
  };
  try {
    if (tabSeparated) {
      text.split(/\r?\n/).forEach((lineText, index) => {
        if (lineText.trim() !== '') add(lineText.split('\t'), index + 1);
      });
    } else {
      parseCsv(text, (fields, line) => {
        if (line > 1) add(fields, line);
      });
    }
  } catch (error) {
    throw new Error(`${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (rows.users.length === 0) throw new Error(`${fileName}: no ratings`);
  return rows;
}

export interface MovieInfo {
  title: string;
  genres: string[];
  tags: string[];
  /** Listed in movies.csv (so in the catalogue even when nobody rated it). */
  listed: boolean;
}

/** Titles, genres and tags by movieId (movies.csv and tags.csv; either may be missing). */
export function parseMovieInfo(files: MovieLensFiles): Map<number, MovieInfo> {
  const movies = new Map<number, MovieInfo>();
  const entry = (id: number) => {
    let info = movies.get(id);
    if (!info) {
      info = { title: `Movie ${id}`, genres: [], tags: [], listed: false };
      movies.set(id, info);
    }
    return info;
  };
  if (files.movies) {
    parseCsv(files.movies, (fields, line) => {
      if (line === 1) return;
      const info = entry(number(fields[0], 'movieId', line));
      info.title = fields[1] ?? info.title;
      info.listed = true;
      const genres = fields[2] ?? '';
      info.genres = genres === '' ? [] : genres.split('|');
    });
  }
  if (files.tags) {
    parseCsv(files.tags, (fields, line) => {
      if (line === 1) return;
      entry(number(fields[1], 'movieId', line)).tags.push(fields[2] ?? '');
    });
  }
  return movies;
}

const SESSION_GAP_SECONDS = 3600;

/**
 * A Dataset from MovieLens texts: every movie of ratings.csv and movies.csv in the catalogue;
 * item text = title, genres ('|' read as spaces), tags in file order; sessions = each user's
 * ratings in time order, cut where consecutive events are more than an hour apart.
 */
export function movieLensDataset(files: MovieLensFiles, movies: Map<number, MovieInfo>): Dataset {
  const rows = parseRatings(files.ratings, 'ratings');
  const dataset = Dataset.fromArrays({
    users: rows.users,
    items: rows.items,
    ratings: rows.ratings,
    timestamps: rows.timestamps,
    catalogue: { items: [...movies].filter(([, info]) => info.listed).map(([id]) => id) },
  });
  try {
    const text = Array.from(dataset.itemIds(), (id) => {
      const info = movies.get(id);
      if (!info) return '';
      const parts = files.movies ? [info.title, info.genres.join(' ')] : [];
      return [...parts, ...info.tags].filter((p) => p !== '').join(' ');
    });
    dataset.setItemText(text);
    dataset.setSessions(sessionsFromTimestamps(rows));
  } catch (error) {
    dataset.dispose();
    throw error;
  }
  return dataset;
}

function sessionsFromTimestamps(rows: RatingRows): number[][] {
  const byUser = new Map<number, number[]>();
  rows.users.forEach((user, row) => {
    const list = byUser.get(user);
    if (list) list.push(row);
    else byUser.set(user, [row]);
  });
  const sessions: number[][] = [];
  for (const user of [...byUser.keys()].sort((a, b) => a - b)) {
    // Array.prototype.sort is stable: equal timestamps keep file order.
    const events = (byUser.get(user) ?? []).sort((a, b) => (rows.timestamps[a] ?? 0) - (rows.timestamps[b] ?? 0));
    let current: number[] = [];
    let last = -Infinity;
    for (const row of events) {
      const time = rows.timestamps[row] ?? 0;
      if (current.length > 0 && time - last > SESSION_GAP_SECONDS) {
        sessions.push(current);
        current = [];
      }
      current.push(rows.items[row] ?? 0);
      last = time;
    }
    if (current.length > 0) sessions.push(current);
  }
  return sessions;
}
