// MovieLens files dropped on the page: recognising which file is which, and the titles, genres
// and tags the page displays. The Dataset itself comes from the package (Dataset.fromMovieLens),
// which keeps the title, genres and tags only as one item text.

export interface MovieLensTexts {
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

export interface MovieInfo {
  title: string;
  genres: string[];
  tags: string[];
}

/** Titles, genres and tags by movieId (movies.csv and tags.csv; either may be missing). */
export function parseMovieInfo(files: MovieLensTexts): Map<number, MovieInfo> {
  const movies = new Map<number, MovieInfo>();
  const entry = (id: number) => {
    let info = movies.get(id);
    if (!info) {
      info = { title: `Movie ${id}`, genres: [], tags: [] };
      movies.set(id, info);
    }
    return info;
  };
  if (files.movies) {
    parseCsv(files.movies, (fields, line) => {
      if (line === 1) return;
      const info = entry(number(fields[0], 'movieId', line));
      info.title = fields[1] ?? info.title;
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
