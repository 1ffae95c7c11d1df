// A small MovieLens sample cut from ../shared/datasets/ml-latest-small: the first `users` users'
// ratings, the movies they rated plus a few nobody in the sample rated, and those movies' tags.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const movieLensDir = join(root, '../shared/datasets/ml-latest-small');

const lines = (file) =>
  readFileSync(join(movieLensDir, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
// movieId (and userId) are never quoted in these files, so the first fields split safely.
const field = (line, index) => line.split(',')[index];

/** Writes ratings.csv, movies.csv and tags.csv into a new temporary folder; returns their paths. */
export function writeMovieLensSample({ users = 25, unratedMovies = 5 } = {}) {
  const [ratingsHeader, ...ratings] = lines('ratings.csv');
  const kept = ratings.filter((line) => Number(field(line, 0)) <= users);
  const rated = new Set(kept.map((line) => field(line, 1)));
  const [moviesHeader, ...movies] = lines('movies.csv');
  const unrated = movies.filter((line) => !rated.has(field(line, 0))).slice(0, unratedMovies);
  const keptMovies = movies.filter((line) => rated.has(field(line, 0)) || unrated.includes(line));
  const [tagsHeader, ...tags] = lines('tags.csv');
  const keptTags = tags.filter((line) => rated.has(field(line, 1)));

  const dir = mkdtempSync(join(tmpdir(), 'recwasm-ml-sample-'));
  const write = (name, header, body) => {
    const path = join(dir, name);
    writeFileSync(path, [header, ...body].join('\n') + '\n');
    return path;
  };
  return {
    dir,
    ratings: write('ratings.csv', ratingsHeader, kept),
    movies: write('movies.csv', moviesHeader, keptMovies),
    tags: write('tags.csv', tagsHeader, keptTags),
    users,
    rows: kept.length,
    items: new Set([...rated, ...keptMovies.map((line) => field(line, 0))]).size,
  };
}
