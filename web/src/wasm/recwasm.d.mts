// The Emscripten factory emitted by the wasm build (cpp/wasm). Its module's shape is described,
// for internal use only, by RawModule in ../runtime.ts.
declare const createRecwasmModule: (overrides?: {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}) => Promise<unknown>;
export default createRecwasmModule;
