// Running one bench cell (a model on a dataset, natively or in wasm) in a fresh process, for
// run.mjs and the suites: cpp/tools/recwasm_bench.cpp and bench/cell.mjs take the same flags
// and print one JSON line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const NATIVE_TOOL = join(root, 'build/native/recwasm-bench');
const WASM_CELL = join(root, 'bench/cell.mjs');

// A cell whose warm-up round took under FAST_ROUND_MS times at least FAST_ROUNDS rounds: its
// first rounds still run the JavaScript side before the JIT has optimised it (popularity on
// ml-latest-small: 20 us per recommend() in the warm-up, 8 in the next round, 3.3 from the fourth
// on), which a median of 5 would report. The native tools apply the same rule
// (cpp/tools/bench_rounds.h), and run.mjs gives a wasm cell whose native twin was that fast as
// many rounds, so both sides of a pair time the same number.
export const FAST_ROUND_MS = 50;
export const FAST_ROUNDS = 50;
// Such a cell also warms up for FAST_WARM_UP_MS, not one round: V8 compiles the hot wasm
// functions in the background, and until it has, rounds run 3-10x slower (popularity on
// ml-latest-small: 2-6 ms a round for the first dozen, then 1 ms). With one warm-up round
// those were timed rounds, and on a busy host the median of 50 landed on them (popularity read
// 1.6 ms where its rounds settle at 0.5). The native tools warm up the same way.
export const FAST_WARM_UP_MS = 300;

/**
 * Whether a cell whose first round took `firstRoundMs`, after `warmingMs` of warm-up rounds
 * (the first included), should run another warm-up round.
 */
export const keepWarming = (firstRoundMs, warmingMs) => firstRoundMs < FAST_ROUND_MS && warmingMs < FAST_WARM_UP_MS;

/** Timed rounds for a cell whose warm-up took `warmupMs`, before the time budget caps them. */
export const roundsWanted = (warmupMs, repeats, minRepeats = 0) =>
  Math.max(repeats, minRepeats, warmupMs < FAST_ROUND_MS ? FAST_ROUNDS : 0);

/**
 * Runs a cell with `args` (--model, --data, --options...) on `side` ('native' or 'wasm').
 * Resolves to the cell's JSON, `{ skipped, timedOut }` when it outlived `timeoutMs` (it is
 * killed), or `{ error }` when it failed.
 */
export function runCell(side, args, timeoutMs) {
  const [command, commandArgs] = side === 'native' ? [NATIVE_TOOL, args] : [process.execPath, [WASM_CELL, ...args]];
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ skipped: `over budget (> ${Math.round(timeoutMs / 1000)} s)`, timedOut: true });
      if (code !== 0) return resolve({ error: (stderr.trim().split('\n').at(-1) ?? '') || `exit code ${code}` });
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
      } catch {
        resolve({ error: `unreadable output: ${stdout.slice(0, 200)}` });
      }
    });
  });
}
