import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDemo } from './harness.mjs';

let demo;
before(async () => {
  demo = await openDemo();
});
after(async () => {
  await demo?.close();
});

test('the demo page loads the wasm module and shows popularity recommendations', async () => {
  const { page, url } = demo;
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
  const items = await page.$$eval('#pop-recs li', (lis) => lis.map((li) => Number(li.dataset.item)));
  assert.equal(items.length, 10);
  assert.equal(new Set(items).size, 10);
  const metrics = await page.textContent('#pop-metrics');
  assert.match(metrics ?? '', /Precision@10 0\.037 · Recall@10 0\.367/);
  await demo.screenshot('demo-popularity');
  assert.deepEqual(demo.consoleErrors, []);
});
