import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo imports 'recwasm' exactly as an npm user would; here the name points at this
// repository's built package (dist/), which `npm run demo` builds first.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: { recwasm: fileURLToPath(new URL('../dist/index.js', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
});
