// Cancel stops a training run: unfinished models are marked cancelled, the previous models stay
// in the tables, and the page can train again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDemo, readMetrics, readProgress, waitForRun } from './harness.mjs';

let demo;
before(async () => {
  demo = await openDemo();
});
after(async () => {
  await demo?.close();
});

test('Cancel stops training and keeps the previous models', async () => {
  const { page, url } = demo;
  await page.goto(url);
  await waitForRun(page, 1);
  const before = await readMetrics(page);
  assert.ok(Object.keys(before).length > 0);

  // Both clicks in one task: the run is cancelled before its first model can finish, however
  // fast the models are.
  await page.evaluate(() => {
    document.querySelector('#train-all')?.click();
    document.querySelector('#cancel')?.click();
  });
  await waitForRun(page, 2, 'cancelled');
  assert.match((await page.textContent('#status')) ?? '', /cancelled/i);

  const progress = Object.values(await readProgress(page));
  assert.ok(progress.length > 0);
  assert.ok(
    progress.every((bar) => bar.state === 'cancelled' && bar.fraction < 1),
    'no model of the cancelled run finished',
  );
  assert.equal(await page.isEnabled('#train-all'), true);
  assert.equal(await page.isEnabled('#cancel'), false);
  assert.deepEqual(await readMetrics(page), before, 'the previous models are still shown');
  await demo.screenshot('demo-cancelled');

  // Still usable: the next run completes.
  await page.click('#train-all');
  await waitForRun(page, 3);
  assert.ok(Object.values(await readProgress(page)).every((bar) => bar.state === 'done' && bar.fraction === 1));
  assert.deepEqual(demo.consoleErrors, []);
});
