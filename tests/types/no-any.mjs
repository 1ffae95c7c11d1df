// The published declaration files never say `any`: every public type is spelled out.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../../dist', import.meta.url).pathname;
const offenders = [];
for (const file of readdirSync(dist, { recursive: true }).map(String)) {
  if (!file.endsWith('.d.ts')) continue;
  const code = readFileSync(join(dist, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""');
  code.split('\n').forEach((line, i) => {
    if (/\bany\b/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
  });
}
if (offenders.length > 0) {
  console.error(`'any' in the declaration files:\n${offenders.join('\n')}`);
  process.exit(1);
}
console.log('no any in dist/**/*.d.ts');
