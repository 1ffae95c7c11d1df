// Runs every libFuzzer target built in build/fuzz (tests/fuzz/*_fuzz.cpp) for a bounded time,
// printing the executions of each run, and fails if any target finds a crash, a sanitizer
// report or a broken invariant (the reproducer is kept in build/fuzz/artifacts/).
//
//   node scripts/fuzz.mjs [--seconds 30] [--total 170] [--targets snapshot,options]
//   npm run fuzz -- --seconds 600        (longer runs; RECWASM_FUZZ_SECONDS works too)
//
// Each target reads the committed seeds (tests/fuzz/corpus/NAME), any generated seeds
// (build/fuzz/seeds/NAME: e.g. snapshots of every registered model kind) and the corpus grown by
// earlier runs (build/fuzz/corpus/NAME, where new inputs go). `--total` caps the whole run by
// shortening every target's time when there are many targets.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.RECWASM_FUZZ_SECONDS ?? '30' },
    total: { type: 'string' },
    targets: { type: 'string' },
  },
});
const build = join(root, 'build/fuzz');
if (!existsSync(build)) {
  console.error('build/fuzz is missing: run `bash scripts/setup.sh fuzz` (or `test`) first');
  process.exit(2);
}

const targets = readdirSync(build)
  .filter((f) => f.startsWith('fuzz-'))
  .map((f) => f.slice('fuzz-'.length))
  .filter((name) => !args.targets || args.targets.split(',').includes(name))
  .sort();
let seconds = Number(args.seconds);
if (args.total) seconds = Math.max(5, Math.min(seconds, Math.floor(Number(args.total) / Math.max(1, targets.length))));

// Seeds that must follow the registry rather than be committed: a snapshot of every model kind.
const seedDir = (name) => join(build, 'seeds', name);
mkdirSync(seedDir('snapshot'), { recursive: true });
execFileSync(join(build, 'recwasm-fuzz-seeds'), [seedDir('snapshot')], { stdio: 'inherit' });
mkdirSync(join(build, 'artifacts'), { recursive: true });

function fuzz(name) {
  const corpus = join(build, 'corpus', name);
  mkdirSync(corpus, { recursive: true });
  const inputs = [corpus, join(root, 'tests/fuzz/corpus', name), seedDir(name)].filter(existsSync);
  const flags = [
    `-max_total_time=${seconds}`,
    '-print_final_stats=1',
    '-timeout=20',
    '-rss_limit_mb=2560',
    `-artifact_prefix=${join(build, 'artifacts', `${name}-`)}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(join(build, `fuzz-${name}`), [...flags, ...inputs], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
    });
    let log = '';
    child.stderr.on('data', (chunk) => (log += chunk));
    child.on('close', (code) => resolve({ code, log }));
  });
}

let failed = 0;
for (const name of targets) {
  const { code, log } = await fuzz(name);
  const stat = (key) => Number(log.match(new RegExp(`stat::${key}:\\s*(\\d+)`))?.[1] ?? NaN);
  const runs = stat('number_of_executed_units');
  const corpus = readdirSync(join(build, 'corpus', name)).length;
  if (code === 0) {
    console.log(
      `fuzz ${name}: ${runs.toLocaleString('en-US')} executions in ${seconds} s ` +
        `(${stat('average_exec_per_sec').toLocaleString('en-US')}/s), corpus ${corpus} inputs, no failure`,
    );
  } else {
    failed++;
    const artifact = log.match(/Test unit written to (\S+)/)?.[1] ?? 'none';
    // The finding and the stack frames inside recwasm (the sanitizer and libFuzzer frames around
    // them say nothing about the bug).
    const lines = log.split('\n');
    const report = [
      ...lines.filter((l) => /ERROR:|runtime error|invariant violated|terminate called|what\(\)/.test(l)).slice(0, 5),
      ...lines.filter((l) => /#\d+ .* (\/\S*\/(cpp|tests\/fuzz)\/\S+)/.test(l)).slice(0, 12),
      ...lines.filter((l) => /^SUMMARY/.test(l)).slice(0, 1),
    ].join('\n');
    console.log(`fuzz ${name}: FAILED after ${runs} executions (exit ${code}); reproducer: ${artifact}\n${report}`);
    console.log(`  replay: ${join(build, `fuzz-${name}`)} ${artifact}`);
  }
}
console.log(`fuzz summary: ${targets.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 && targets.length > 0 ? 0 : 1;
