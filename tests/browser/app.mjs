// The tiny test page of tests/package/app: built with Vite (as an npm user's page would be),
// served with vite preview and opened in Debian's Chromium. Used by the browser worker test
// (against this repository's dist/) and by the package test (against the installed tarball).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, artifactsDir } from './harness.mjs';

const root = new URL('../..', import.meta.url).pathname;
export const appSource = join(root, 'tests/package/app');

/**
 * Builds the test page found in `appRoot` into `appRoot/dist` with no Vite configuration; with
 * `alias`, `recwasm` resolves to this repository's build instead of node_modules.
 */
export async function buildApp(appRoot, { alias = false } = {}) {
  await build({
    root: appRoot,
    configFile: false,
    logLevel: 'silent',
    resolve: alias ? { alias: { recwasm: join(root, 'dist/index.js') } } : {},
    build: { outDir: join(appRoot, 'dist'), emptyOutDir: true },
  });
  return readdirSync(join(appRoot, 'dist'), { recursive: true }).map(String);
}

/** A copy of the test page in a fresh temporary folder (call cleanup() when done). */
export function copyApp() {
  const dir = mkdtempSync(join(tmpdir(), 'recwasm-app-'));
  cpSync(appSource, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Serves `appRoot/dist` and opens it in Chromium; resolves to the page's report. */
export async function runApp(appRoot, { query = '', screenshot, headers } = {}) {
  const server = await preview({
    root: appRoot,
    configFile: false,
    build: { outDir: join(appRoot, 'dist') },
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false, ...(headers ? { headers } : {}) },
    logLevel: 'silent',
  });
  const url = server.resolvedUrls?.local[0];
  const userDataDir = mkdtempSync(join(tmpdir(), 'recwasm-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    if (!url) throw new Error('vite preview did not report a URL');
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(url + query);
    await page.waitForSelector('#status:not([data-state="loading"])', { timeout: 60_000 });
    const state = await page.getAttribute('#status', 'data-state');
    const text = (await page.textContent('#status')) ?? '';
    if (screenshot) {
      mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, `${screenshot}.png`), fullPage: true });
    }
    if (state !== 'done') throw new Error(`the test page ended in state ${state}: ${text}`);
    return { report: JSON.parse(text), consoleErrors };
  } finally {
    await context.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
