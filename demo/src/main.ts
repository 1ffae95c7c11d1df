import { Model, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

const status = document.querySelector<HTMLElement>('#status');
const setStatus = (text: string, state: string) => {
  if (!status) return;
  status.textContent = text;
  status.dataset['state'] = state;
};

async function start(): Promise<void> {
  await loadRecwasm();
  using data = demoDataset();
  using split = leaveOneOut(data, { seed: 42 });
  using model = Model.create('popularity');
  model.fit(split.train);
  const metrics = evaluate(model, split.test, { k: 10 });
  const recs = model.recommend(2, { k: 10 });

  const metricsEl = document.querySelector('#pop-metrics');
  if (metricsEl) {
    metricsEl.textContent = `Precision@10 ${metrics.precision.toFixed(3)} · Recall@10 ${metrics.recall.toFixed(3)}`;
  }
  const list = document.querySelector('#pop-recs');
  list?.replaceChildren(
    ...recs.items.map((item, i) => {
      const li = document.createElement('li');
      li.textContent = `Item ${item} (${recs.scores[i] ?? 0} ratings)`;
      li.dataset['item'] = String(item);
      return li;
    }),
  );
  setStatus('Ready', 'ready');
}

start().catch((error: unknown) => {
  setStatus(`Error: ${error instanceof Error ? error.message : String(error)}`, 'error');
  throw error;
});
