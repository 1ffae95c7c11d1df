// The Node entry point ("node" export condition): same API, with the .wasm read from disk,
// because Node's fetch cannot load file: URLs.
import { readFile } from 'node:fs/promises';
import { setDefaultWasmBinaryLoader } from './runtime.js';

setDefaultWasmBinaryLoader(() => readFile(new URL('./wasm/recwasm.wasm', import.meta.url)));

export * from './index.js';
