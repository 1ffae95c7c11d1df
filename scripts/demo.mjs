// Serves the built demo (npm run demo builds it first) and prints its URL.
import { preview } from 'vite';

const port = Number(process.env.PORT ?? 5173);
const server = await preview({
  root: new URL('../demo', import.meta.url).pathname,
  configFile: new URL('../demo/vite.config.ts', import.meta.url).pathname,
  preview: { port, host: process.env.HOST ?? '127.0.0.1', strictPort: false, open: false },
  logLevel: 'warn',
});
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
console.log(`recwasm demo: ${url}`);
console.log('Press Ctrl+C to stop.');
