// Runs every test stage, streams its output, and ends with one summary line CI recognises:
// "N passed, N failed". RECWASM_TEST_STAGES=native,js runs a subset.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const jobs = String(Math.max(1, Number(process.env.RECWASM_JOBS ?? 2)));

const filesUnder = (dir, pattern) =>
  readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f));

// Each stage yields counts: a single check counts as one test.
const single = (code) => (code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });
const ctestCounts = (code, out) => {
  const m = out.match(/(\d+)% tests passed, (\d+) tests? failed out of (\d+)/);
  if (!m) return single(code);
  const total = Number(m[3]);
  const failed = Number(m[2]);
  return { passed: total - failed, failed: code === 0 ? failed : Math.max(failed, 1) };
};
const nodeTestCounts = (code, out) => {
  const pass = out.match(/^# pass (\d+)/m);
  const fail = out.match(/^# fail (\d+)/m);
  if (!pass || !fail) return single(code);
  const failed = Number(fail[1]);
  return { passed: Number(pass[1]), failed: code === 0 ? failed : Math.max(failed, 1) };
};

// tests/parity/check.py ends with "parity: N passed, N failed".
const parityCounts = (code, out) => {
  const m = out.match(/^parity: (\d+) passed, (\d+) failed/m);
  if (!m) return single(code);
  const failed = Number(m[2]);
  return { passed: Number(m[1]), failed: code === 0 ? failed : Math.max(failed, 1) };
};

export const stages = [
  {
    name: 'format-cpp',
    command: 'clang-format',
    args: () => [
      '--dry-run',
      '--Werror',
      ...filesUnder('cpp', /\.(h|cpp)$/),
      ...filesUnder('tests/cpp', /\.(h|cpp)$/),
      ...filesUnder('tests/fuzz', /\.(h|cpp)$/),
    ],
    counts: single,
  },
  {
    name: 'format-ts',
    command: 'npx',
    args: () => [
      '--no-install',
      'prettier',
      '--check',
      '--log-level',
      'warn',
      'web',
      'demo/src',
      'demo/index.html',
      'tests/js',
      'tests/browser',
      'tests/package',
      'tests/types',
      'scripts',
      'bench',
    ],
    counts: single,
  },
  {
    name: 'typecheck',
    command: 'bash',
    args: () => [
      '-c',
      [
        'npx --no-install tsc --noEmit -p tsconfig.json',
        'npx --no-install tsc -p demo/tsconfig.json',
        // The published declarations, as strict consumers see them (with and without the DOM).
        'npx --no-install tsc -p tests/types/tsconfig.json',
        'npx --no-install tsc -p tests/types/tsconfig.node.json',
        'node tests/types/no-any.mjs',
      ].join(' && '),
    ],
    counts: single,
  },
  {
    name: 'native',
    command: 'ctest',
    args: () => ['--test-dir', 'build/native', '--output-on-failure', '-j', jobs],
    counts: ctestCounts,
  },
  {
    // The native tests and fuzz corpus replays built with -fsanitize=address,undefined.
    name: 'sanitize',
    command: 'ctest',
    args: () => ['--test-dir', 'build/native-asan', '--output-on-failure', '-j', jobs],
    env: { ASAN_OPTIONS: 'detect_leaks=1:strict_string_checks=1', UBSAN_OPTIONS: 'print_stacktrace=1' },
    counts: ctestCounts,
  },
  {
    // Every libFuzzer target for a bounded time (~30 s each, under 3 minutes in all).
    name: 'fuzz',
    command: 'node',
    args: () => ['scripts/fuzz.mjs', '--seconds', process.env.RECWASM_FUZZ_SECONDS ?? '30', '--total', '165'],
    counts: (code, out) => {
      const m = out.match(/fuzz summary: (\d+) passed, (\d+) failed/);
      if (!m) return single(code);
      return { passed: Number(m[1]), failed: code === 0 ? Number(m[2]) : Math.max(Number(m[2]), 1) };
    },
  },
  {
    name: 'js',
    command: 'node',
    args: () => ['--test', ...filesUnder('tests/js', /\.test\.mjs$/)],
    counts: nodeTestCounts,
  },
  {
    // The generator and the splits against numpy and pandas themselves (Debian's python3).
    name: 'parity',
    command: '/usr/bin/python3',
    args: () => ['-B', 'tests/parity/check.py'],
    counts: parityCounts,
  },
  {
    name: 'browser',
    command: 'node',
    args: () => ['--test', '--test-concurrency=1', ...filesUnder('tests/browser', /\.test\.mjs$/)],
    counts: nodeTestCounts,
  },
  {
    // npm pack -> install into an empty folder -> use from Node and from a Vite app.
    name: 'package',
    command: 'node',
    args: () => ['--test', '--test-concurrency=1', ...filesUnder('tests/package', /\.test\.mjs$/)],
    counts: nodeTestCounts,
  },
];

function run(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(stage.command, stage.args(), {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...stage.env },
    });
    let output = '';
    const collect = (stream, sink) =>
      stream.on('data', (chunk) => {
        output += chunk;
        sink.write(chunk);
      });
    collect(child.stdout, process.stdout);
    collect(child.stderr, process.stderr);
    child.on('error', (error) => {
      output += String(error);
      resolve({ code: 1, output, seconds: (Date.now() - started) / 1000 });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const wanted = process.env.RECWASM_TEST_STAGES?.split(',').map((s) => s.trim());
const summary = [];
for (const stage of stages) {
  if (wanted && !wanted.includes(stage.name)) continue;
  console.log(`\n=== ${stage.name} ===`);
  const result = await run(stage);
  const counts = stage.counts(result.code, result.output);
  summary.push({ stage: stage.name, ...counts, seconds: result.seconds.toFixed(1) });
}

console.log('\n=== summary ===');
for (const s of summary) {
  console.log(
    `${s.stage.padEnd(14)} ${String(s.passed).padStart(5)} passed ${String(s.failed).padStart(4)} failed  ${s.seconds}s`,
  );
}
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
