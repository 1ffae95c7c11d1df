// The demo page: a dataset (generated or MovieLens), every model trained on its notebook split,
// their metrics beside the notebook's, and one user's recommendations. State for tests is in the
// DOM: #status[data-state], data-* on progress bars, table cells and recommendation lists.
import { Model, RecwasmError, loadRecwasm } from 'recwasm';
import { GENERATOR_DEFAULTS, loadData, type DataSource, type GeneratorParams, type LoadedData } from './data.js';
import { byId, errorMessage, formatMs, h } from './dom.js';
import { metricsAt, type Metrics } from './metrics.js';
import { renderMetrics } from './metrics-view.js';
import { detectMovieLensFile, type MovieLensTexts } from './movielens.js';
import { buildCatalogue, presetFor, type ModelEntry, type PresetCatalogue } from './presets.js';
import { ProgressView } from './progress-view.js';
import { clearSession, loadSession, saveSession, type SavedSession } from './store.js';
import { LazyModel } from './lazy-model.js';
import { prepareTraining, rankUsers, trainAll } from './training.js';
import { renderHistory, renderRecommendations } from './users-view.js';

type PageState = 'loading' | 'training' | 'ready' | 'cancelled' | 'error';

const ui = {
  status: byId('status'),
  form: byId<HTMLFormElement>('generator-form'),
  defaults: byId<HTMLButtonElement>('defaults'),
  dropZone: byId('drop-zone'),
  files: byId<HTMLInputElement>('files'),
  summary: byId('dataset-summary'),
  items: byId<HTMLTableElement>('items-table'),
  trainAll: byId<HTMLButtonElement>('train-all'),
  cancel: byId<HTMLButtonElement>('cancel'),
  forget: byId<HTMLButtonElement>('forget'),
  withVariants: byId<HTMLInputElement>('with-variants'),
  progress: new ProgressView(byId('progress-list')),
  unavailable: byId<HTMLDetailsElement>('unavailable'),
  unavailableList: byId('unavailable-list'),
  k: byId<HTMLSelectElement>('k-select'),
  metrics: {
    table: byId<HTMLTableElement>('metrics-table'),
    chart: byId('metrics-chart'),
    caption: byId('metrics-caption'),
    notes: byId('metrics-notes'),
  },
  user: byId<HTMLSelectElement>('user-select'),
  history: byId('user-history'),
  recs: byId('model-recs'),
};

const app = {
  catalogue: { presets: [], unavailable: [] } as PresetCatalogue,
  data: null as LoadedData | null,
  entries: [] as ModelEntry[],
  k: 10,
  user: null as number | null,
  run: null as { controller: AbortController; done: Promise<void> } | null,
  firstRecommendations: false,
  /** Training runs started since the page loaded (exposed for tests as #status[data-run]). */
  runs: 0,
};

const ITEM_ROWS_SHOWN = 200;

function setStatus(text: string, state: PageState, extra: Record<string, string> = {}): void {
  ui.status.textContent = text;
  ui.status.dataset['state'] = state;
  for (const [key, value] of Object.entries(extra)) ui.status.dataset[key] = value;
}

const models = (n: number) => `${n} model${n === 1 ? '' : 's'}`;

function setBusy(busy: boolean): void {
  ui.trainAll.disabled = busy;
  ui.cancel.disabled = !busy;
}

// ---- dataset ----------------------------------------------------------------------------------

const PARAM_NAMES = Object.keys(GENERATOR_DEFAULTS) as (keyof GeneratorParams)[];

function formInput(name: string): HTMLInputElement {
  const input = ui.form.elements.namedItem(name);
  if (!(input instanceof HTMLInputElement)) throw new Error(`generator field ${name} is missing`);
  return input;
}

function showParams(params: GeneratorParams): void {
  for (const name of PARAM_NAMES) formInput(name).value = String(params[name]);
}

function readParams(): GeneratorParams {
  const params = { ...GENERATOR_DEFAULTS };
  for (const name of PARAM_NAMES) {
    const input = formInput(name);
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(value)) {
      throw new RecwasmError(
        'INVALID_ARGUMENT',
        `${input.parentElement?.textContent?.trim() ?? name} must be a whole number`,
      );
    }
    params[name] = value;
  }
  return params;
}

function renderDataset(data: LoadedData): void {
  const { source } = data;
  if (source.type === 'generator') showParams(source.params);
  ui.summary.dataset['source'] = source.type;
  ui.summary.dataset['users'] = String(data.counts.users);
  ui.summary.dataset['items'] = String(data.counts.items);
  ui.summary.dataset['rows'] = String(data.counts.rows);
  ui.summary.textContent =
    source.type === 'generator'
      ? `Generated${data.isNotebookDefault ? ' (the notebook’s defaults)' : ''}: ${data.summary}`
      : `MovieLens (${source.files.names.join(', ')}): ${data.summary}`;
  const shown = data.items.slice(0, ITEM_ROWS_SHOWN);
  const caption =
    data.items.length > shown.length
      ? `Items (first ${shown.length} of ${data.items.length.toLocaleString('en')})`
      : `Items (${data.items.length})`;
  ui.items.replaceChildren(
    h('caption', { id: 'items-caption' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'ID'),
        h('th', { scope: 'col' }, 'Title'),
        h('th', { scope: 'col' }, 'Genre'),
        h('th', { scope: 'col' }, source.type === 'generator' ? 'Description' : 'Tags'),
      ),
    ),
    h(
      'tbody',
      {},
      ...shown.map((item) =>
        h(
          'tr',
          { 'data-item': item.id },
          h('td', {}, String(item.id)),
          h('td', {}, item.title),
          h('td', {}, item.genre || '—'),
          h('td', {}, item.description),
        ),
      ),
    ),
  );
}

// ---- models, metrics, user panel --------------------------------------------------------------

function disposeEntries(): void {
  for (const entry of app.entries) entry.model.dispose();
  app.entries = [];
}

/**
 * Each entry's metrics by k. An entry's lists never change (a retrained model is a new entry),
 * and the table is drawn again after every model of a run: without this, each model that
 * finished re-scored every model, seconds of main-thread time taken from the workers.
 */
const metricsByEntry = new WeakMap<ModelEntry, Map<number, Metrics>>();

function metricsOf(entry: ModelEntry, data: LoadedData, k: number): Metrics {
  let byK = metricsByEntry.get(entry);
  if (!byK) metricsByEntry.set(entry, (byK = new Map()));
  let metrics = byK.get(k);
  if (!metrics) {
    const relevantOf = (user: number) => data.heldOut(user).map((row) => row.item);
    metrics = metricsAt(entry.lists, data.users, relevantOf, k);
    byK.set(k, metrics);
  }
  return metrics;
}

function renderResults(): void {
  const data = app.data;
  const metrics = new Map<string, Metrics>();
  if (data) {
    for (const entry of app.entries) metrics.set(entry.preset.id, metricsOf(entry, data, app.k));
  }
  renderMetrics(ui.metrics, {
    entries: app.entries,
    metrics,
    k: app.k,
    notebookData: data?.isNotebookDefault ?? false,
  });
  renderUserPanel();
}

function renderUserOptions(data: LoadedData): void {
  const preferred =
    app.user !== null && data.users.includes(app.user) ? app.user : data.users.includes(2) ? 2 : data.users[0];
  app.user = preferred ?? null;
  ui.user.replaceChildren(
    ...data.users.map((user) => h('option', { value: user, selected: user === app.user }, `User ${user}`)),
  );
}

function renderUserPanel(): void {
  const data = app.data;
  if (!data || app.user === null) {
    ui.history.replaceChildren();
    ui.recs.replaceChildren();
    return;
  }
  renderHistory(ui.history, data, app.user);
  renderRecommendations(ui.recs, app.entries, data, app.user, app.k);
  ui.recs.dataset['user'] = String(app.user);
  if (!app.firstRecommendations && app.entries.length > 0) {
    app.firstRecommendations = true;
    performance.mark('recwasm:first-recommendations');
  }
}

// ---- persistence ------------------------------------------------------------------------------

async function save(data: LoadedData, entries: readonly ModelEntry[]): Promise<void> {
  const session: SavedSession = {
    version: 1,
    savedAt: new Date().toISOString(),
    source: data.source,
    models: entries.map((e) => ({
      id: e.preset.id,
      label: e.preset.label,
      bytes: e.model.snapshot,
      fitMs: e.fitMs,
      losses: e.losses,
      lists: e.lists,
    })),
  };
  await saveSession(session);
}

/**
 * Rebuilds the saved dataset and its models; false if there is nothing usable. A model saved with
 * its lists comes back as its snapshot alone, loaded when the page is idle (a snapshot that then
 * fails to load shows its error in the user panel, and the session is dropped); one saved
 * without them (an older page) is loaded and ranks the users now, and the session is saved again
 * with the lists.
 */
async function restore(saved: Promise<SavedSession | null>): Promise<boolean> {
  const session = await saved;
  if (!session || session.models.length === 0) return false;
  setStatus('Restoring saved models…', 'loading');
  const data = loadData(session.source);
  const entries: ModelEntry[] = [];
  let savedWithoutLists = false;
  try {
    for (const saved of session.models) {
      const known = app.catalogue.presets.find((p) => p.id === saved.id);
      let restored: Pick<ModelEntry, 'preset' | 'model' | 'lists'>;
      if (known && saved.lists) {
        restored = { preset: known, model: new LazyModel(saved.bytes), lists: saved.lists };
      } else {
        savedWithoutLists ||= !saved.lists;
        const model = Model.load(saved.bytes);
        restored = {
          preset: presetFor(app.catalogue, saved.id, model, saved.label),
          model: new LazyModel(saved.bytes, model),
          lists: rankUsers(model, data.users),
        };
      }
      entries.push({ ...restored, fitMs: saved.fitMs, losses: saved.losses, origin: 'restored' });
    }
  } catch (error) {
    for (const entry of entries) entry.model.dispose();
    data.dispose();
    await clearSession().catch(() => undefined);
    setStatus(`Saved models could not be restored (${errorMessage(error)}); training afresh.`, 'loading');
    return false;
  }
  useData(data);
  app.entries = entries;
  ui.progress.reset(
    entries.map((e) => e.preset),
    data.isNotebookDefault,
  );
  for (const entry of entries) ui.progress.done(entry.preset.id, entry.fitMs, entry.losses, 'restored');
  renderResults();
  const when = new Date(session.savedAt).toLocaleString();
  setStatus(`Restored ${models(entries.length)} saved ${when}.`, 'ready', { origin: 'restored', saved: 'true' });
  loadModelsWhenIdle();
  if (savedWithoutLists) void save(data, entries).catch(() => undefined);
  return true;
}

// ---- actions ----------------------------------------------------------------------------------

/** Replaces the dataset (and drops models trained on the previous one). */
function useData(data: LoadedData): void {
  disposeEntries();
  app.data?.dispose();
  app.data = data;
  renderDataset(data);
  renderUserOptions(data);
  renderResults();
}

async function stopRun(): Promise<void> {
  const run = app.run;
  if (!run) return;
  run.controller.abort();
  await run.done;
}

async function switchSource(source: DataSource, label: string): Promise<void> {
  await stopRun();
  setStatus(`Loading ${label}…`, 'loading');
  let data: LoadedData;
  try {
    data = loadData(source);
  } catch (error) {
    setStatus(`Could not use ${label}: ${errorMessage(error)}`, 'error');
    return;
  }
  useData(data);
  ui.progress.reset([], false);
  await startTraining();
}

function startTraining(): Promise<void> {
  const data = app.data;
  if (!data || app.run) return app.run?.done ?? Promise.resolve();
  const controller = new AbortController();
  const done = train(data, controller.signal).finally(() => {
    app.run = null;
    setBusy(false);
    loadModelsWhenIdle();
  });
  app.run = { controller, done };
  return done;
}

let idleLoad: ReturnType<typeof setTimeout> | undefined;

/**
 * Loads the trained (or restored) models' snapshots one per task once training is over, so their
 * explanations appear in the user panel; until then it shows the worker's ranked lists. Loading
 * during training would take the main thread (and a core) from the workers.
 */
function loadModelsWhenIdle(): void {
  if (idleLoad !== undefined) return;
  idleLoad = setTimeout(() => {
    idleLoad = undefined;
    if (app.run) return; // the run calls this again when it ends
    const entry = app.entries.find((e) => e.model.pending);
    if (!entry) return;
    try {
      entry.model.get();
    } catch (error) {
      if (!(error instanceof RecwasmError)) throw error;
      // The panel shows the error beside the model's lists. A saved snapshot that no longer
      // loads (damaged, or from another version) must not come back on the next visit.
      if (entry.origin === 'restored') void clearSession().catch(() => undefined);
    }
    renderUserPanel();
    loadModelsWhenIdle();
  }, 0);
}

/**
 * Puts a freshly trained model in place of its preset's previous one and shows it at once, so
 * results appear while the other models are still training.
 */
function adopt(entry: ModelEntry): void {
  const order = (id: string) => app.catalogue.presets.findIndex((p) => p.id === id);
  const previous = app.entries.find((e) => e.preset.id === entry.preset.id);
  previous?.model.dispose();
  app.entries = [...app.entries.filter((e) => e !== previous), entry].sort(
    (a, b) => order(a.preset.id) - order(b.preset.id),
  );
  renderResults();
}

async function train(data: LoadedData, signal: AbortSignal): Promise<void> {
  const presets = app.catalogue.presets.filter((p) => p.notebook || ui.withVariants.checked);
  setBusy(true);
  ui.progress.reset(presets, data.isNotebookDefault);
  app.runs += 1;
  setStatus(`Training ${models(presets.length)}…`, 'training', {
    origin: 'trained',
    saved: 'false',
    run: String(app.runs),
  });
  const started = performance.now();
  let trained = 0;
  let fitMs = 0;
  const failed: string[] = [];
  let outcome: { state: 'ready' | 'cancelled' | 'error'; text: string };
  try {
    await trainAll(
      presets,
      { source: data.source, testUsers: data.users },
      {
        signal,
        onStart: (id) => ui.progress.start(id),
        onProgress: (id, progress) => ui.progress.progress(id, progress),
        onDone: (result) => {
          const preset = presets.find((p) => p.id === result.id);
          if (!preset) throw new Error(`unknown preset ${result.id}`);
          const { losses, lists } = result;
          const model = new LazyModel(result.snapshot);
          adopt({ preset, model, fitMs: result.fitMs, losses, lists, origin: 'trained' });
          ui.progress.done(result.id, result.fitMs, losses, 'trained');
          trained += 1;
          fitMs += result.fitMs;
        },
        onError: (id, error) => {
          failed.push(`${presets.find((p) => p.id === id)?.label ?? id}: ${error.message}`);
          ui.progress.fail(id, `${error.code}: ${error.message}`);
        },
      },
    );
    const failures = failed.length ? ` (failed: ${failed.join('; ')})` : '';
    outcome = {
      state: 'ready',
      text: `Trained ${models(trained)} in ${formatMs(performance.now() - started)}${failures}.`,
    };
    if (performance.getEntriesByName('recwasm:all-trained').length === 0) performance.mark('recwasm:all-trained');
  } catch (error) {
    if (!(error instanceof RecwasmError)) console.error(error); // a bug, not bad input
    const cancelled = error instanceof RecwasmError && error.code === 'CANCELLED';
    ui.progress.stopUnfinished(cancelled ? 'cancelled' : 'error', cancelled ? 'cancelled' : 'failed');
    const kept = app.entries.length > trained ? ' Models it did not reach keep their previous training.' : '';
    outcome = cancelled
      ? { state: 'cancelled', text: `Training cancelled after ${models(trained)}.${kept}` }
      : { state: 'error', text: `Training failed: ${errorMessage(error)}.${kept}` };
  }
  const timing = {
    trainMs: (performance.now() - started).toFixed(1),
    fitMs: fitMs.toFixed(1),
    failed: String(failed.length),
  };
  if (trained === 0) {
    setStatus(outcome.text, outcome.state, timing);
    return;
  }
  setStatus(`${outcome.text} Saving…`, outcome.state, { ...timing, saved: 'false' });
  const entries = app.entries;
  try {
    await save(data, entries);
    if (app.data === data && app.entries === entries) {
      setStatus(`${outcome.text} Saved in this browser.`, outcome.state, { ...timing, saved: 'true' });
    }
  } catch (error) {
    setStatus(`${outcome.text} Not saved (${errorMessage(error)}).`, outcome.state, { ...timing, saved: 'error' });
  }
}

async function readDroppedFiles(list: FileList | readonly File[]): Promise<void> {
  const files = [...list];
  if (files.length === 0) return;
  const found: Partial<Record<'ratings' | 'movies' | 'tags', string>> = {};
  const names: string[] = [];
  for (const file of files) {
    const text = await file.text();
    const kind = detectMovieLensFile(text);
    if (!kind) {
      setStatus(`${file.name} is not a MovieLens ratings, movies or tags file.`, 'error');
      return;
    }
    found[kind] = text;
    names.push(file.name);
  }
  if (found.ratings === undefined) {
    setStatus('A MovieLens ratings file (userId,movieId,rating,timestamp) is needed.', 'error');
    return;
  }
  const movieLens: MovieLensTexts = { ratings: found.ratings, names };
  if (found.movies !== undefined) movieLens.movies = found.movies;
  if (found.tags !== undefined) movieLens.tags = found.tags;
  await switchSource({ type: 'movielens', files: movieLens }, names.join(', '));
}

function wireEvents(): void {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    let params: GeneratorParams;
    try {
      params = readParams();
    } catch (error) {
      setStatus(errorMessage(error), 'error');
      return;
    }
    void switchSource({ type: 'generator', params }, 'the generated dataset');
  });
  ui.defaults.addEventListener('click', () => showParams({ ...GENERATOR_DEFAULTS }));
  ui.files.addEventListener('change', () => {
    if (ui.files.files) void readDroppedFiles(ui.files.files);
  });
  // Dropping anywhere on the page must not navigate away to the file.
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (event) => event.preventDefault());
  ui.dropZone.addEventListener('dragover', () => ui.dropZone.classList.add('dragging'));
  ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('dragging'));
  ui.dropZone.addEventListener('drop', (event) => {
    ui.dropZone.classList.remove('dragging');
    if (event.dataTransfer?.files) void readDroppedFiles(event.dataTransfer.files);
  });
  ui.trainAll.addEventListener('click', () => void startTraining());
  ui.cancel.addEventListener('click', () => app.run?.controller.abort());
  ui.forget.addEventListener('click', () => {
    clearSession().then(
      () => setStatus('Saved models forgotten; the page will train afresh next time.', 'ready', { saved: 'false' }),
      (error: unknown) => setStatus(`Could not forget saved models: ${errorMessage(error)}`, 'error'),
    );
  });
  ui.k.addEventListener('change', () => {
    app.k = Number(ui.k.value);
    renderResults();
  });
  ui.user.addEventListener('change', () => {
    app.user = Number(ui.user.value);
    renderUserPanel();
  });
}

function showUnavailable(catalogue: PresetCatalogue): void {
  ui.unavailable.hidden = catalogue.unavailable.length === 0;
  ui.unavailableList.replaceChildren(
    ...catalogue.unavailable.map((v) => h('li', { 'data-preset': v.id }, `${v.label}: ${v.reason}`)),
  );
}

async function start(): Promise<void> {
  showParams({ ...GENERATOR_DEFAULTS });
  wireEvents();
  // Reading IndexedDB overlaps with fetching and compiling the wasm module. Where IndexedDB is
  // unavailable (private mode, storage disabled) the page simply starts fresh.
  const saved = loadSession().catch(() => null);
  prepareTraining();
  await loadRecwasm();
  performance.mark('recwasm:wasm-ready');
  app.catalogue = buildCatalogue();
  showUnavailable(app.catalogue);
  const restored = await restore(saved);
  performance.mark('recwasm:restore-checked');
  if (restored) return;
  useData(loadData({ type: 'generator', params: { ...GENERATOR_DEFAULTS } }));
  await startTraining();
}

start().catch((error: unknown) => {
  setBusy(false);
  setStatus(`Error: ${errorMessage(error)}`, 'error');
  throw error;
});
