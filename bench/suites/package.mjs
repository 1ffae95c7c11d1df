// Package size: what the npm package holds, and what a page downloads when Vite builds it, raw,
// gzip -9 and brotli: the demo page (demo/, its own Vite config: ES-module workers) and a page
// built with no Vite configuration at all (tests/package/app: the main-thread API plus
// RecwasmWorker). A file both the page and its worker use (the .wasm; the Emscripten glue when
// the worker is an ES module) is one URL, fetched once, and counted once.
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
  return { dir, out: join(dir, 'dist') };
}

async function buildDemoPage(root) {
  const { build } = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'recwasm-size-demo-'));
  await build({
    configFile: join(root, 'demo/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, out: dir };
}

/** Rows for every file of a built page, and its totals. */
function pageRows(group, out) {
  const page = filesUnder(out).map((f) => ({ file: f, ...sizes(readFileSync(join(out, f))) }));
  const worker = (f) => /worker.*\.js$/.test(f);
  const kind = (f) => (f.endsWith('.wasm') ? 'wasm' : worker(f) ? 'worker' : 'page');
  const rows = page.map(({ file, ...size }) => ({ group, item: `${file} (${kind(file)})`, ...size }));
  rows.push({ group, item: 'total without the worker script', ...sum(page.filter((f) => !worker(f.file))) });
  rows.push({ group, item: 'total: everything the page downloads', ...sum(page) });
  return rows;
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

  // Pages built by Vite from the package (minified by Vite, as users ship them).
  for (const [group, buildPage] of [
    ['demo page', buildDemoPage],
    ['page without Vite config', buildTestPage],
  ]) {
    const { dir, out } = await buildPage(root);
    try {
      rows.push(...pageRows(group, out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const kb = (n) => (n / 1024).toFixed(1);
  const totals = rows.filter((r) => r.item.startsWith('total: '));
  const markdown = [
    '| package size | raw KB | gzip KB | brotli KB |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.group}: ${r.item} | ${kb(r.raw_bytes)} | ${kb(r.gzip_bytes)} | ${kb(r.brotli_bytes)} |`),
    '',
    ...totals.map(
      (t) =>
        `Everything the ${t.group} downloads (html, css, js, worker, wasm): ${kb(t.gzip_bytes)} KB gzip ` +
        `(goal < ${kb(GOAL_GZIP_BYTES)} KB: ${t.gzip_bytes < GOAL_GZIP_BYTES ? 'met' : 'NOT met'}).`,
    ),
  ].join('\n');
  return { rows, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await run({ root: new URL('../..', import.meta.url).pathname });
  console.log(markdown);
}
