// Runs many `recwasm` command lines through the CLI's own entry point (dist/cli/main.js) in one
// Node process, so the parity check pays Node's and the wasm module's start-up once instead of
// once per command line. Reads a JSON array of argument lists on stdin and writes a JSON array
// of {code, stdout, stderr}.
import { readFileSync } from 'node:fs';
import { main } from '../../dist/cli/main.js';

const commandLines = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
const { stdout, stderr } = process;
const originalOut = stdout.write.bind(stdout);
const originalErr = stderr.write.bind(stderr);
for (const argv of commandLines) {
  let out = '';
  let err = '';
  stdout.write = (chunk) => ((out += chunk), true);
  stderr.write = (chunk) => ((err += chunk), true);
  let code;
  try {
    code = await main(argv);
  } catch (error) {
    code = 1;
    err += String(error?.stack ?? error);
  } finally {
    stdout.write = originalOut;
    stderr.write = originalErr;
  }
  results.push({ code, stdout: out, stderr: err });
}
stdout.write(JSON.stringify(results));
