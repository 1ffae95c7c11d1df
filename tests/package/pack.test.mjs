// The npm package as users get it: `npm pack`, installed (offline: it has no dependencies) into
// an empty folder, then used from a plain Node ESM script, from the `recwasm` command, from a
// strict TypeScript file, and from a tiny Vite app that is built and opened in Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appSource, buildApp, runApp } from '../browser/app.mjs';

const root = new URL('../..', import.meta.url).pathname;
let work;
let project;
let installed;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'recwasm-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
  );
  const tarball = join(work, packed[0].filename);
  project = join(work, 'project');
  cpSync(appSource, project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
    cwd: project,
    stdio: 'pipe',
  });
  installed = join(project, 'node_modules/recwasm');
});
after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the built package and no sources', () => {
  for (const file of [
    'package.json',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/node.js',
    'dist/cli.js',
    'dist/wasm/recwasm.mjs',
    'dist/wasm/recwasm.wasm',
    'dist/worker/worker.js',
    'dist/worker/node-worker.js',
  ]) {
    assert.ok(existsSync(join(installed, file)), file);
  }
  for (const absent of ['web', 'cpp', 'tests', 'build', 'node_modules', 'demo']) {
    assert.equal(existsSync(join(installed, absent)), false, absent);
  }
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.equal(manifest.dependencies, undefined, 'recwasm has no runtime dependencies');
});

test('a plain Node ESM script fits, recommends, saves and loads (and trains in a worker)', () => {
  const script = `
import { Model, RecwasmWorker, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

await loadRecwasm();
const data = demoDataset();
const split = leaveOneOut(data, { seed: 42 });
const model = Model.create('popularity');
model.fit(split.train);
const recs = model.recommend(2, { k: 10 });
const bytes = model.save();
const loaded = Model.load(bytes);
const worker = new RecwasmWorker();
const trained = await worker.train({ data: { type: 'demo' }, models: ['popularity'] });
worker.terminate();
const fromWorker = Model.load(trained.models[0].snapshot);
console.log(JSON.stringify({
  recs,
  loaded: loaded.recommend(2, { k: 10 }),
  fromWorker: fromWorker.recommend(2, { k: 10 }),
  metrics: evaluate(loaded, split.test, { k: 10 }),
  snapshotBytes: bytes.length,
}));
for (const o of [fromWorker, loaded, model, split, data]) o.dispose();
`;
  writeFileSync(join(project, 'script.mjs'), script);
  const out = JSON.parse(execFileSync(process.execPath, ['script.mjs'], { cwd: project, encoding: 'utf8' }));
  assert.equal(out.recs.items.length, 10);
  assert.deepEqual(out.loaded, out.recs);
  assert.deepEqual(out.fromWorker, out.recs);
  assert.ok(Math.abs(out.metrics.precision - 11 / 300) < 1e-12);
  assert.ok(Math.abs(out.metrics.recall - 11 / 30) < 1e-12);
  assert.ok(out.snapshotBytes > 0);
});

test('the recwasm command runs from the installed package', () => {
  const out = execFileSync(
    join(project, 'node_modules/.bin/recwasm'),
    ['evaluate', '--models', 'popularity', '--json'],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  const result = JSON.parse(out);
  assert.equal(result.models[0].name, 'popularity');
  assert.ok(Math.abs(result.models[0].precision - 11 / 300) < 1e-6);
});

test('a strict TypeScript file compiles against the installed declarations', () => {
  writeFileSync(
    join(project, 'consumer.ts'),
    `import { Model, RecwasmError, RecwasmWorker, loadRecwasm, type Recommendation } from 'recwasm';
await loadRecwasm();
using model = Model.create('popularity');
const recs: Recommendation = model.recommend(1);
const worker = new RecwasmWorker();
const result = await worker.train({ data: { type: 'demo' }, models: ['popularity'] });
const snapshot: Uint8Array | undefined = result.models[0]?.snapshot;
const code: string | undefined = new RecwasmError('CANCELLED', 'x').code;
// @ts-expect-error: not a model kind
Model.create('nope');
export { recs, snapshot, code };
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
        types: [],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['consumer.ts'],
    }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: project,
    stdio: 'pipe',
  });
});

test('a tiny Vite app builds with no configuration and trains in a worker in Chromium', async () => {
  const files = await buildApp(project);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const workers = files.filter((f) => /worker.*\.js$/.test(f));
  assert.equal(wasm.length, 1, files.join(', '));
  assert.equal(workers.length, 1, files.join(', '));
  const workerCode = readFileSync(join(project, 'dist', workers[0]), 'utf8');
  assert.ok(workerCode.includes(wasm[0].split('/').pop()), 'the worker chunk refers to the wasm');

  const { report, consoleErrors } = await runApp(project);
  assert.deepEqual(consoleErrors, []);
  assert.equal(report.cancel, 'CANCELLED');
  assert.ok(report.models.length >= 1);
  for (const m of report.models) {
    assert.equal(m.error, null, m.name);
    assert.deepEqual(m.fromSnapshot, m.fromWorker, m.name);
    assert.deepEqual(m.trainedHere, m.fromWorker, m.name);
  }
});
