// Serves the production build of the demo and drives Debian's Chromium through playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';

const root = new URL('../..', import.meta.url).pathname;
export const artifactsDir = join(root, 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the demo's preview server and a fresh Chromium; call close() when done. */
export async function openDemo() {
  const server = await preview({
    root: join(root, 'demo'),
    configFile: join(root, 'demo/vite.config.ts'),
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
    logLevel: 'silent',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  const userDataDir = mkdtempSync(join(tmpdir(), 'recwasm-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  return {
    url,
    page,
    context,
    consoleErrors,
    async screenshot(name) {
      mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      await new Promise((resolve) => server.httpServer.close(resolve));
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until training run number `run` (counted since the page loaded) has finished. */
export async function waitForRun(page, run, state = 'ready', timeout = 60_000) {
  await page.waitForSelector(`#status[data-run="${run}"][data-state="${state}"]`, { timeout });
}

/** The metrics table as {presetId: {kind, variant, options, origin, metrics: {name: value}}}. */
export async function readMetrics(page) {
  return page.$$eval('#metrics-table tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.dataset.model,
        {
          kind: row.dataset.kind,
          variant: row.dataset.variant,
          options: JSON.parse(row.dataset.options ?? '{}'),
          origin: row.dataset.origin,
          metrics: Object.fromEntries(
            [...row.querySelectorAll('td[data-metric]')].map((td) => [td.dataset.metric, td.textContent?.trim()]),
          ),
          values: Object.fromEntries(
            [...row.querySelectorAll('td[data-metric][data-value]')].map((td) => [
              td.dataset.metric,
              Number(td.dataset.value),
            ]),
          ),
        },
      ]),
    ),
  );
}

/** Each model card of the user panel as {presetId: [{item, score, heldOut}]}. */
export async function readRecommendations(page) {
  return page.$$eval('#model-recs .model-card', (cards) =>
    Object.fromEntries(
      cards.map((card) => [
        card.dataset.model,
        [...card.querySelectorAll('ol.recs li')].map((li) => ({
          item: Number(li.dataset.item),
          score: Number(li.dataset.score),
          heldOut: li.dataset.heldOut === 'true',
        })),
      ]),
    ),
  );
}

/** The training panel's rows as {presetId: {state, fraction, origin}}. */
export async function readProgress(page) {
  return page.$$eval('#progress-list li', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.dataset.model,
        {
          state: row.dataset.state,
          origin: row.dataset.origin,
          fraction: Number(row.querySelector('progress')?.dataset.fraction),
          value: Number(row.querySelector('progress')?.value),
        },
      ]),
    ),
  );
}
