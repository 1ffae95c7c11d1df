// Trained models are saved to IndexedDB and restored, with their dataset, after a reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDemo, readMetrics, readProgress, readRecommendations, waitForRun } from './harness.mjs';

let demo;
before(async () => {
  demo = await openDemo();
});
after(async () => {
  await demo?.close();
});

const RESTORED = '#status[data-state="ready"][data-origin="restored"]';

async function restoredPage(page) {
  await page.reload();
  await page.waitForSelector(RESTORED, { timeout: 30_000 });
  assert.equal(await page.getAttribute('#status', 'data-run'), null, 'nothing was retrained');
  const metrics = await readMetrics(page);
  for (const [id, row] of Object.entries(metrics)) assert.equal(row.origin, 'restored', id);
  for (const [id, bar] of Object.entries(await readProgress(page))) {
    assert.deepEqual([bar.state, bar.fraction, bar.origin], ['done', 1, 'restored'], id);
  }
  return metrics;
}

test('a reload restores the saved models on the defaults', async () => {
  const { page, url } = demo;
  await page.goto(url);
  await waitForRun(page, 1);
  await page.waitForSelector('#status[data-saved="true"]');
  const metrics = await readMetrics(page);
  const recs = await readRecommendations(page);

  const restored = await restoredPage(page);
  assert.deepEqual(Object.keys(restored), Object.keys(metrics));
  for (const [id, row] of Object.entries(metrics)) {
    assert.deepEqual(restored[id]?.values, row.values, `${id}: same figures (and fit time) after the reload`);
  }
  assert.deepEqual(await readRecommendations(page), recs, 'same recommendations after the reload');
  await demo.screenshot('demo-restored');
  assert.deepEqual(demo.consoleErrors, []);
});

test('a reload restores models trained on other generator parameters, with those parameters', async () => {
  const { page } = demo;
  await page.fill('input[name="users"]', '40');
  await page.fill('input[name="seed"]', '7');
  await page.click('#generate');
  await waitForRun(page, 1); // the first run since the reload
  await page.waitForSelector('#status[data-saved="true"]');
  const metrics = await readMetrics(page);
  assert.match((await page.textContent('#dataset-summary')) ?? '', /^Generated: 40 users/);
  assert.equal(await page.$('td[data-metric="notebook-precision"]'), null, 'no notebook figures on other data');

  const restored = await restoredPage(page);
  for (const [id, row] of Object.entries(metrics)) assert.deepEqual(restored[id]?.values, row.values, id);
  assert.equal(await page.inputValue('input[name="users"]'), '40');
  assert.equal(await page.inputValue('input[name="seed"]'), '7');
  assert.match((await page.textContent('#dataset-summary')) ?? '', /^Generated: 40 users/);
  assert.equal(await page.$$eval('#user-select option', (o) => o.length), 40);
  assert.deepEqual(demo.consoleErrors, []);
});

test('Forget saved models: the next visit trains afresh on the defaults', async () => {
  const { page } = demo;
  await page.click('#forget');
  await page.waitForSelector('#status[data-saved="false"]');
  await page.reload();
  await waitForRun(page, 1);
  assert.equal(await page.getAttribute('#status', 'data-origin'), 'trained');
  assert.equal(await page.inputValue('input[name="seed"]'), '42');
  assert.match((await page.textContent('#dataset-summary')) ?? '', /notebook’s defaults/);
  assert.deepEqual(demo.consoleErrors, []);
});

test('a saved snapshot that no longer loads shows its error beside its saved lists; the next visit trains afresh', async () => {
  const { page } = demo;
  await page.waitForSelector('#status[data-saved="true"]');
  // Damage one byte in the middle of the first saved snapshot (its checksum no longer holds).
  const damaged = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('recwasm-demo', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('sessions', 'readwrite').objectStore('sessions');
          const get = store.get('current');
          get.onsuccess = () => {
            const session = get.result;
            const model = session.models[0];
            model.bytes[model.bytes.length >> 1] ^= 0xff;
            const put = store.put(session, 'current');
            put.onsuccess = () => resolve(model.id);
            put.onerror = () => reject(put.error);
          };
        };
      }),
  );
  await page.reload();
  await page.waitForSelector(RESTORED, { timeout: 30_000 });
  const card = `#model-recs .model-card[data-model="${damaged}"]`;
  await page.waitForSelector(`${card} p.error[data-error]`, { timeout: 30_000 });
  assert.equal(await page.getAttribute(`${card} p.error`, 'data-error'), 'CORRUPT_SNAPSHOT');
  assert.equal((await page.$$(`${card} ol.recs li`)).length, 10, 'the saved list is still shown');

  await page.reload();
  await waitForRun(page, 1);
  assert.equal(await page.getAttribute('#status', 'data-origin'), 'trained');
  assert.deepEqual(demo.consoleErrors, []);
});
