// The Web Worker that RecwasmWorker starts (module worker). Bundlers see it through the
// `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` in client.ts; it
// finds recwasm.wasm next to the Emscripten glue through import.meta.url, like the page does.
import { serve } from './serve.js';

serve({
  post: (message, transfer) => self.postMessage(message, { transfer }),
  listen: (handler) => self.addEventListener('message', (event) => handler(event.data)),
});
