// Package size: what the npm package holds, and what a page downloads when Vite builds it
// (tests/package/app: the main-thread API plus RecwasmWorker), raw, gzip -9 and brotli.
// Goal: everything a page downloads under 200 KB gzip.
//
//   node bench/suites/package.mjs        prints the table
//   import { run } from './suites/package.mjs'; await run({ root })  -> { rows, markdown }
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const GOAL_GZIP_BYTES = 200 * 1024;

function sizes(bytes) {
  return {
    raw_bytes: bytes.length,
    gzip_bytes: gzipSync(bytes, { level: 9 }).length,
    brotli_bytes: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const sum = (rows) =>
  rows.reduce(
    (t, r) => ({
      raw_bytes: t.raw_bytes + r.raw_bytes,
      gzip_bytes: t.gzip_bytes + r.gzip_bytes,
      brotli_bytes: t.brotli_bytes + r.brotli_bytes,
    }),
    { raw_bytes: 0, gzip_bytes: 0, brotli_bytes: 0 },
  );

const filesUnder = (dir) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile());

async function buildTestPage(root) {
  const { build } = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'recwasm-size-'));
  cpSync(join(root, 'tests/package/app'), dir, { recursive: true });
  await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: { recwasm: join(root, 'dist/index.js') } },
    build: { outDir: join(dir, 'dist'), emptyOutDir: true },
  });
  return dir;
}

export async function run({ root }) {
  const rows = [];
  const dist = join(root, 'dist');

  // The package as published (the files a bundler starts from).
  const wasm = sizes(readFileSync(join(dist, 'wasm/recwasm.wasm')));
  const glue = sizes(readFileSync(join(dist, 'wasm/recwasm.mjs')));
  const js = sum(
    filesUnder(dist)
      .filter((f) => f.endsWith('.js') && !f.startsWith('cli'))
      .map((f) => sizes(readFileSync(join(dist, f)))),
  );
  rows.push({ group: 'package', item: 'recwasm.wasm', ...wasm });
  rows.push({ group: 'package', item: 'recwasm.mjs (Emscripten glue)', ...glue });
  rows.push({ group: 'package', item: 'TypeScript API, worker (dist/**/*.js, no CLI)', ...js });

  // A page built by Vite from the package (minified by Vite, as users ship it).
  const app = await buildTestPage(root);
  try {
    const out = join(app, 'dist');
    const page = filesUnder(out).map((f) => ({
      file: relative(out, join(out, f)),
      ...sizes(readFileSync(join(out, f))),
    }));
    const kind = (f) => (f.endsWith('.wasm') ? 'wasm' : /worker.*\.js$/.test(f) ? 'worker' : 'page');
    for (const f of page) rows.push({ group: 'vite page', item: `${f.file} (${kind(f.file)})`, ...f, file: undefined });
    const mainThread = sum(page.filter((f) => kind(f.file) !== 'worker'));
    const all = sum(page);
    rows.push({ group: 'vite page', item: 'total, main-thread API only (html + js + wasm)', ...mainThread });
    rows.push({ group: 'vite page', item: 'total, with RecwasmWorker (html + js + worker + wasm)', ...all });
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
  for (const r of rows) delete r.file;

  const total = rows.at(-1);
  const kb = (n) => (n / 1024).toFixed(1);
  const markdown = [
    '| package size | raw KB | gzip KB | brotli KB |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.group}: ${r.item} | ${kb(r.raw_bytes)} | ${kb(r.gzip_bytes)} | ${kb(r.brotli_bytes)} |`),
    '',
    `Everything a page downloads (with the worker): ${kb(total.gzip_bytes)} KB gzip ` +
      `(goal < ${kb(GOAL_GZIP_BYTES)} KB: ${total.gzip_bytes < GOAL_GZIP_BYTES ? 'met' : 'NOT met'}).`,
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await run({ root: new URL('../..', import.meta.url).pathname });
  console.log(markdown);
}
