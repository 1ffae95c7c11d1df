// The user panel: a user's training history, their held-out item, and each model's top-k with
// scores and, where the model can say, which history items led to each recommendation.
import { RecwasmError, type Model, type Recommendation } from 'recwasm';
import type { LoadedData } from './data.js';
import { errorMessage, h } from './dom.js';
import { K_MAX } from './metrics.js';
import type { ModelEntry } from './presets.js';

/** Models that answered UNSUPPORTED to explain(), by model object (asked once, not per item). */
const cannotExplain = new WeakSet<Model>();

/** Empty until the model is loaded (the page loads it when idle and renders the panel again). */
function explanation(entry: ModelEntry, data: LoadedData, user: number, item: number): string {
  if (!entry.model.loaded) return '';
  const model = entry.model.get();
  const fallback = entry.preset.explainFallback ?? '';
  if (cannotExplain.has(model)) return fallback;
  try {
    const why = model.explain(user, item, { topN: 2 });
    if (why.items.length === 0) return fallback;
    return `because you rated ${why.items.map((id) => data.item(id).title).join(' and ')}`;
  } catch (error) {
    if (error instanceof RecwasmError && error.code === 'UNSUPPORTED') cannotExplain.add(model);
    else if (!(error instanceof RecwasmError)) throw error;
    return fallback;
  }
}

function formatScore(score: number): string {
  if (!Number.isFinite(score)) return String(score);
  return Number.isInteger(score) ? String(score) : score.toFixed(3);
}

function itemLine(data: LoadedData, id: number): HTMLElement {
  const info = data.item(id);
  return h(
    'span',
    { class: 'item' },
    h('span', { class: 'title' }, info.title),
    info.genre ? h('span', { class: 'genre' }, ` · ${info.genre}`) : null,
  );
}

export function renderHistory(container: HTMLElement, data: LoadedData, user: number): void {
  const history = data.history(user);
  const heldOut = data.heldOut(user);
  container.replaceChildren(
    h(
      'p',
      { class: 'held-out', 'data-user': user },
      h('strong', {}, 'Held out for testing: '),
      ...heldOut.flatMap((row, i) => [
        i > 0 ? ', ' : null,
        h(
          'span',
          { class: 'held-out-item', 'data-item': row.item },
          itemLine(data, row.item),
          ` (rated ${row.rating})`,
        ),
      ]),
    ),
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-labelledby': 'history-caption', tabindex: 0 },
      h(
        'table',
        { id: 'history-table' },
        h(
          'caption',
          { id: 'history-caption' },
          `User ${user}’s training history (${history.length} ratings, in train order)`,
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Title'),
            h('th', { scope: 'col' }, 'Genre'),
            h('th', { scope: 'col' }, 'Rating'),
          ),
        ),
        h(
          'tbody',
          {},
          ...history.map((row) => {
            const info = data.item(row.item);
            return h(
              'tr',
              { 'data-item': row.item },
              h('td', {}, info.title),
              h('td', {}, info.genre || '—'),
              h('td', { 'data-value': row.rating }, String(row.rating)),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * The user's top-k: from the lists the worker ranked when they cover k (a list shorter than
 * K_MAX is all the model had), otherwise from the model itself (loading it if need be).
 */
function topK(entry: ModelEntry, user: number, k: number): Recommendation {
  const listed = entry.lists.get(user);
  if (listed && (k <= listed.items.length || listed.items.length < K_MAX)) {
    return { items: listed.items.slice(0, k), scores: listed.scores.slice(0, k) };
  }
  return entry.model.get().recommend(user, { k });
}

export function renderRecommendations(
  container: HTMLElement,
  entries: readonly ModelEntry[],
  data: LoadedData,
  user: number,
  k: number,
): void {
  const heldOut = new Set(data.heldOut(user).map((row) => row.item));
  container.replaceChildren(
    ...entries.map((entry) => {
      const headingId = `recs-${entry.preset.id.replace(/[^\w-]/g, '-')}`;
      let body: HTMLElement;
      let count = 0;
      let listed = false;
      try {
        const recs = topK(entry, user, k);
        count = recs.items.length;
        listed = true;
        body = h(
          'ol',
          { class: 'recs', 'aria-labelledby': headingId },
          ...recs.items.map((item, i) => {
            const hit = heldOut.has(item);
            const score = recs.scores[i] ?? NaN;
            const why = explanation(entry, data, user, item);
            return h(
              'li',
              {
                'data-item': item,
                'data-score': score,
                'data-held-out': hit ? 'true' : null,
                class: hit ? 'hit' : null,
              },
              itemLine(data, item),
              h('span', { class: 'score' }, ` score ${formatScore(score)}`),
              hit ? h('strong', { class: 'hit-label' }, ' ★ held-out test item') : null,
              why ? h('span', { class: 'why' }, why) : null,
            );
          }),
        );
      } catch (error) {
        if (!(error instanceof RecwasmError)) throw error;
        body = h('p', { class: 'error', 'data-error': error.code }, errorMessage(error));
      }
      // A restored model whose snapshot failed to load still has its saved lists.
      const failure = entry.model.failure;
      const loadError =
        failure instanceof RecwasmError && listed
          ? h(
              'p',
              { class: 'error', 'data-error': failure.code },
              `The saved model could not be loaded (${errorMessage(failure)}): these are its saved lists; train again to use it.`,
            )
          : null;
      return h(
        'article',
        { class: 'model-card', 'data-model': entry.preset.id, 'data-count': count },
        h('h3', { id: headingId }, entry.preset.label),
        entry.preset.summary ? h('p', { class: 'summary' }, entry.preset.summary) : null,
        body,
        loadError,
      );
    }),
  );
}
