// Runs the learned-model bench suite alone: node bench/learned/run-suite.mjs [repeats]
// (npm run bench runs every suite in bench/suites/).
import { run } from '../suites/learned.mjs';

const root = new URL('../..', import.meta.url).pathname;
const start = performance.now();
const { markdown } = await run({ root, repeats: Number(process.argv[2] ?? 3) });
console.log(markdown);
console.log(`\n(${((performance.now() - start) / 1000).toFixed(0)} s)`);
