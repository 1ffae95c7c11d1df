// The metrics table (ours beside the notebook's printed figures) and its chart.
import { metricsChart, type MetricBars } from './charts.js';
import { fixed3, formatMs, h } from './dom.js';
import type { Metrics } from './metrics.js';
import type { ModelEntry } from './presets.js';

const METRICS = [
  { key: 'precision', name: 'P' },
  { key: 'recall', name: 'R' },
  { key: 'ndcg', name: 'NDCG' },
  { key: 'hitRate', name: 'HR' },
] as const;

export interface MetricsInput {
  entries: readonly ModelEntry[];
  metrics: ReadonlyMap<string, Metrics>;
  k: number;
  /** The notebook's dataset: its printed figures apply. */
  notebookData: boolean;
}

function metricCell(metric: string, value: number): HTMLTableCellElement {
  return h('td', { 'data-metric': metric, 'data-value': value }, fixed3(value));
}

export interface MetricsElements {
  table: HTMLTableElement;
  chart: HTMLElement;
  caption: HTMLElement;
  notes: HTMLElement;
}

export function renderMetrics({ table, chart, caption, notes }: MetricsElements, input: MetricsInput): void {
  const { entries, metrics, k, notebookData } = input;
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Model'),
    ...METRICS.map((m) => h('th', { scope: 'col' }, `${m.name}@${k}`)),
    h('th', { scope: 'col' }, 'Fit time'),
    notebookData ? h('th', { scope: 'col' }, 'Notebook P@10') : null,
    notebookData ? h('th', { scope: 'col' }, 'Notebook R@10') : null,
  );
  const footnotes: HTMLElement[] = [];
  const rows = entries.map((entry) => {
    const { preset } = entry;
    const evaluation = metrics.get(preset.id);
    const reference = notebookData ? preset.reference : undefined;
    let marker: HTMLElement | null = null;
    if (reference?.note) {
      footnotes.push(h('li', { id: `note-${preset.id}` }, `${preset.label}: ${reference.note}.`));
      marker = h(
        'a',
        { href: `#note-${preset.id}`, 'aria-label': `note ${footnotes.length}` },
        h('sup', {}, String(footnotes.length)),
      );
    }
    const matches =
      reference && evaluation && k === 10 && preset.deterministic
        ? fixed3(evaluation.precision) === fixed3(reference.precision) &&
          fixed3(evaluation.recall) === fixed3(reference.recall)
        : null;
    return h(
      'tr',
      {
        'data-model': preset.id,
        'data-kind': preset.kind,
        'data-variant': preset.notebook ? 'notebook' : preset.id.slice(preset.kind.length + 1),
        'data-origin': entry.origin,
        'data-options': JSON.stringify(preset.options),
        'data-matches-notebook': matches === null ? null : String(matches),
      },
      h('th', { scope: 'row' }, preset.label, preset.notebook ? null : h('span', { class: 'variant' }, ' variant')),
      ...METRICS.map((m) => (evaluation ? metricCell(m.key, evaluation[m.key]) : h('td', {}, '—'))),
      h('td', { 'data-metric': 'fitMs', 'data-value': entry.fitMs }, formatMs(entry.fitMs)),
      notebookData
        ? reference
          ? metricCell('notebook-precision', reference.precision)
          : h('td', { 'data-metric': 'notebook-precision' }, '—')
        : null,
      notebookData
        ? reference
          ? h(
              'td',
              { 'data-metric': 'notebook-recall', 'data-value': reference.recall },
              fixed3(reference.recall),
              marker,
              matches === true ? h('span', { class: 'match', title: 'our figures equal the notebook’s' }, ' ✓') : null,
            )
          : h('td', { 'data-metric': 'notebook-recall' }, '—')
        : null,
    );
  });
  table.replaceChildren(
    h('caption', {}, `Leave-one-out evaluation at k = ${k}, one held-out rating per user`),
    h('thead', {}, head),
    h('tbody', {}, ...rows),
  );
  notes.replaceChildren(...(footnotes.length ? [h('ol', {}, ...footnotes)] : []));

  const bars: MetricBars[] = [];
  for (const entry of entries) {
    const evaluation = metrics.get(entry.preset.id);
    if (!evaluation) continue;
    const bar: MetricBars = {
      id: entry.preset.id,
      label: entry.preset.label,
      values: { recall: evaluation.recall, ndcg: evaluation.ndcg, precision: evaluation.precision },
    };
    const reference = notebookData ? entry.preset.reference : undefined;
    if (reference && k === 10) bar.referenceRecall = reference.recall;
    bars.push(bar);
  }
  chart.replaceChildren(...(bars.length ? [metricsChart(bars, k)] : []));
  caption.textContent = bars.some((b) => b.referenceRecall !== undefined)
    ? 'Our figures per model (bars); the notebook’s printed recall@10 as a black tick.'
    : 'Our figures per model.';
}
