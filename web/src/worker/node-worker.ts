// The worker thread RecwasmWorker starts under Node: the same service as worker.ts, with the
// wasm read from disk by the Node entry point.
import { parentPort } from 'node:worker_threads';
import '../node.js';
import { RecwasmError } from '../errors.js';
import { serve } from './serve.js';
import type { ClientMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new RecwasmError('UNSUPPORTED', 'node-worker.js runs only as a worker thread');
serve({
  post: (message, transfer) => port.postMessage(message, transfer),
  listen: (handler) => port.on('message', (message: ClientMessage) => handler(message)),
});
