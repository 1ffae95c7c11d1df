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

test('Cancel in the middle of a run keeps the models that finished and stops the rest', async () => {
  const { page } = demo;
  const ids = Object.keys(await readProgress(page));
  // Cancel the moment the first model's row turns done (a DOM observer runs before the page
  // starts the next model).
  await page.evaluate(() => {
    const list = document.querySelector('#progress-list');
    const observer = new MutationObserver(() => {
      if (list?.querySelector('li[data-state="done"]')) {
        observer.disconnect();
        document.querySelector('#cancel')?.click();
      }
    });
    document.querySelector('#train-all')?.click();
    if (list) observer.observe(list, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
  await waitForRun(page, 4, 'cancelled');
  const progress = await readProgress(page);
  // Several workers train at once, so the first model to finish need not be the first listed.
  const done = ids.filter((id) => progress[id]?.state === 'done');
  assert.equal(done.length, 1, `only the first model to finish finished (done: ${done.join(', ')})`);
  const rest = ids.filter((id) => id !== done[0]);
  const unfinished = rest.filter((id) => !(progress[id]?.state === 'cancelled' && progress[id].fraction < 1));
  assert.deepEqual(
    unfinished.map((id) => [id, progress[id]]),
    [],
    'every other model is cancelled short of 100%',
  );
  assert.match((await page.textContent('#status')) ?? '', /cancelled after 1 model/);
  const metrics = await readMetrics(page);
  assert.deepEqual(Object.keys(metrics), ids, 'every model is still in the table');
  await page.waitForSelector('#status[data-saved="true"]');
  assert.deepEqual(demo.consoleErrors, []);
});
