// The tokenizer's Unicode tables (cpp/src/unicode_tables.h) must be what the installed Python
// says: scikit-learn tokenizes with that Python's str.lower() and \w. A failure here means the
// Python (and so scikit-learn's behaviour) changed: regenerate with the command in the header.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;

// The tables' numbers in order (formatting aside), after the generated-by line.
const numbers = (source) => source.slice(source.indexOf('\n')).match(/-?\b(?:0x[0-9A-F]+|\d+)\b/g);

test('the committed Unicode tables match the installed Python', () => {
  const run = spawnSync('/usr/bin/python3', [`${root}tests/reference/make_unicode_tables.py`], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(run.error, undefined, String(run.error));
  assert.equal(run.status, 0, run.stderr);
  const committed = readFileSync(`${root}cpp/src/unicode_tables.h`, 'utf8');
  assert.equal(run.stdout.split('\n')[0], committed.split('\n')[0], 'Python or Unicode version changed');
  assert.deepEqual(numbers(run.stdout), numbers(committed));
});
