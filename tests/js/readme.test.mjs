// The README's API section is executable documentation: every ```ts block in it is type-checked
// under strict against the built declaration files, run, and what it prints compared with the
// ```text block that follows it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = new URL('../..', import.meta.url).pathname;
// Inside the repository, so that `import 'recwasm'` resolves to this package by self-reference.
const dir = join(root, 'build/readme-examples');

function examples() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## API\n');
  assert.ok(start >= 0, 'README has an API section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
  const out = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'ts') return;
    const next = blocks[i + 1];
    out.push({ code: block.code, expected: next?.lang === 'text' ? next.code : undefined });
  });
  return out;
}

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true, // the declaration files themselves are checked in tests/types
  noEmit: true,
};

test('the README API examples type-check, run and print what the README says', () => {
  const list = examples();
  assert.ok(list.length >= 4, `found ${list.length} examples`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = list.map((example, i) => {
    const file = join(dir, `example-${i + 1}.mts`);
    writeFileSync(file, example.code);
    return file;
  });

  const program = ts.createProgram(files, compilerOptions);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, ts.createCompilerHost({})));
  assert.deepEqual(diagnostics, []);

  list.forEach((example, i) => {
    const js = ts.transpileModule(example.code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    const file = join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, js);
    const stdout = execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: root });
    if (example.expected !== undefined) assert.equal(stdout, example.expected, `example ${i + 1}`);
  });
});
