// Running one bench cell (a model on a dataset, natively or in wasm) in a fresh process, for
// run.mjs and the suites: cpp/tools/recwasm_bench.cpp and bench/cell.mjs take the same flags
// and print one JSON line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const NATIVE_TOOL = join(root, 'build/native/recwasm-bench');
const WASM_CELL = join(root, 'bench/cell.mjs');

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
