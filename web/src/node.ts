// The Node entry point ("node" export condition): the same API, with the .wasm read from disk
// (Node's fetch cannot load file: URLs) and RecwasmWorker running on worker threads.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { setDefaultWasmBinaryLoader } from './runtime.js';
import { setDefaultWorkerSpawner, type WorkerPort } from './worker/client.js';
import type { ClientMessage, WorkerMessage } from './worker/protocol.js';

setDefaultWasmBinaryLoader(() => readFile(new URL('./wasm/recwasm.wasm', import.meta.url)));

setDefaultWorkerSpawner((): WorkerPort => {
  const worker = new Worker(new URL('./worker/node-worker.js', import.meta.url));
  return {
    post: (message: ClientMessage, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.on('message', (message: WorkerMessage) => handler(message)),
    onError: (handler) => {
      worker.on('error', (error) => handler(error.message));
      worker.on('messageerror', () => handler('a message from the worker could not be decoded'));
      worker.on('exit', (code) => handler(`the worker thread exited (code ${code})`));
    },
    terminate: () => void worker.terminate(),
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
  };
});

export * from './index.js';
