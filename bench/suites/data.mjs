// Bench suite: loading MovieLens ml-latest-small in wasm (Node) and natively. The load is timed
// from bytes already in memory to a ready Dataset (parse, validate, id maps, sparse views,
// sessions); reading the files is not part of it. Goal: ratings.csv in under 150 ms in wasm, and
// within 2x of native.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, loadRecwasm } from 'recwasm';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function timeWasm(files, repeats) {
  const times = [];
  let rows = 0;
  for (let r = 0; r <= repeats; r++) {
    const start = performance.now();
    const data = Dataset.fromMovieLens(files);
    const ms = performance.now() - start;
    rows = data.rowCount;
    data.dispose();
    if (r > 0) times.push(ms); // the first run warms up
  }
  return { rows, ms: median(times) };
}

export async function run({ root, repeats }) {
  const dir = join(root, '..', 'shared', 'datasets', 'ml-latest-small');
  if (!existsSync(join(dir, 'ratings.csv'))) {
    return { rows: [], markdown: `_data suite skipped: ${dir} not found_\n` };
  }
  await loadRecwasm();
  const ratings = readFileSync(join(dir, 'ratings.csv'));
  const movies = readFileSync(join(dir, 'movies.csv'));
  const tags = readFileSync(join(dir, 'tags.csv'));
  const ratingsOnly = timeWasm({ ratings }, repeats);
  const allFiles = timeWasm({ ratings, movies, tags }, repeats);
  const ratingsText = timeWasm({ ratings: ratings.toString('utf8') }, repeats);

  let native;
  const tool = join(root, 'build', 'native', 'recwasm-load-bench');
  if (existsSync(tool)) {
    native = JSON.parse(execFileSync(tool, ['--dir', dir, '--repeats', String(repeats)], { encoding: 'utf8' }));
  }
  const rows = [
    { task: 'ratings.csv (bytes)', rows: ratingsOnly.rows, wasm_ms: ratingsOnly.ms, native_ms: native?.ratings_ms },
    { task: 'ratings.csv (string)', rows: ratingsText.rows, wasm_ms: ratingsText.ms, native_ms: native?.ratings_ms },
    {
      task: 'ratings + movies + tags',
      rows: allFiles.rows,
      wasm_ms: allFiles.ms,
      native_ms: native?.all_files_ms,
    },
  ].map((row) => ({ suite: 'data', ...row, wasm_over_native: row.native_ms ? row.wasm_ms / row.native_ms : null }));

  const fmt = (v) => (typeof v === 'number' ? v.toFixed(1) : '-');
  const markdown = [
    '| load ml-latest-small | rows | wasm ms | native ms | wasm / native |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.task} | ${r.rows} | ${fmt(r.wasm_ms)} | ${fmt(r.native_ms)} | ${r.wasm_over_native === null ? '-' : r.wasm_over_native.toFixed(2) + 'x'} |`,
    ),
  ].join('\n');
  return { rows, markdown: markdown + '\n' };
}
