// Plain SVG charts. A charting library would add tens of kilobytes for two simple shapes (bars and
// a polyline); hand-written SVG keeps the bundle small, needs no network, and lets every mark carry
// its own accessible text. The numbers are also in the metrics table, which screen readers use.
import { fixed3, s } from './dom.js';
import type { LossPoint } from './training.js';

export interface MetricBars {
  id: string;
  label: string;
  values: { recall: number; ndcg: number; precision: number };
  /** The notebook's recall, drawn as a tick over our recall bar. */
  referenceRecall?: number;
}

const SERIES = [
  { key: 'recall', name: 'Recall', color: '#2563eb' },
  { key: 'ndcg', name: 'NDCG', color: '#15803d' },
  { key: 'precision', name: 'Precision', color: '#b45309' },
] as const;

/** Grouped horizontal bars (recall, NDCG, precision at k) per model, on a 0..1 axis. */
export function metricsChart(rows: readonly MetricBars[], k: number): SVGSVGElement {
  const width = 440;
  const barsLeft = 0;
  const barsWidth = width - 56;
  const hasReference = rows.some((r) => r.referenceRecall !== undefined);
  const legendHeight = hasReference ? 48 : 28;
  const groupHeight = 52;
  const height = legendHeight + rows.length * groupHeight + 4;
  const x = (v: number) => barsLeft + Math.max(0, Math.min(1, v)) * barsWidth;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': `Recall, NDCG and precision at ${k} for each model (the same figures as the table)`,
    class: 'metrics-chart',
  });
  let legendX = 0;
  for (const series of SERIES) {
    svg.append(
      s('rect', { x: legendX, y: 6, width: 12, height: 12, fill: series.color }),
      s('text', { x: legendX + 16, y: 16, class: 'chart-text' }, `${series.name}@${k}`),
    );
    legendX += 110;
  }
  if (hasReference) {
    svg.append(
      s('line', { x1: 6, x2: 6, y1: 24, y2: 40, class: 'reference-tick' }),
      s('text', { x: 16, y: 36, class: 'chart-text' }, 'the notebook’s recall@10'),
    );
  }
  rows.forEach((row, index) => {
    const top = legendHeight + index * groupHeight;
    const group = s('g', { 'data-model': row.id });
    group.append(s('text', { x: 0, y: top + 12, class: 'chart-label' }, row.label));
    SERIES.forEach((series, i) => {
      const value = row.values[series.key];
      const y = top + 16 + i * 11;
      group.append(
        s(
          'rect',
          { x: barsLeft, y, width: Math.max(1, x(value) - barsLeft), height: 9, fill: series.color },
          s('title', {}, `${row.label}: ${series.name}@${k} ${fixed3(value)}`),
        ),
        s('text', { x: x(value) + 4, y: y + 8.5, class: 'chart-value' }, fixed3(value)),
      );
    });
    if (row.referenceRecall !== undefined) {
      const tx = x(row.referenceRecall);
      group.append(
        s(
          'line',
          { x1: tx, x2: tx, y1: top + 13, y2: top + 28, class: 'reference-tick' },
          s('title', {}, `notebook recall@10 ${fixed3(row.referenceRecall)}`),
        ),
      );
    }
    svg.append(group);
  });
  return svg;
}

/** A small loss-per-epoch curve; the notebook's printed losses dashed when given. */
export function lossChart(points: readonly LossPoint[], reference?: readonly number[]): SVGSVGElement {
  const width = 160;
  const height = 48;
  const pad = 4;
  const referencePoints = (reference ?? []).map((loss, i) => ({ epoch: i + 1, loss }));
  const all = [...points, ...referencePoints];
  const maxEpoch = Math.max(2, ...all.map((p) => p.epoch));
  const losses = all.map((p) => p.loss);
  const low = Math.min(...losses);
  const high = Math.max(...losses);
  const span = high - low || 1;
  const px = (epoch: number) => pad + ((epoch - 1) / (maxEpoch - 1)) * (width - 2 * pad);
  const py = (loss: number) => pad + (1 - (loss - low) / span) * (height - 2 * pad);
  const line = (ps: readonly LossPoint[]) =>
    ps.map((p) => `${px(p.epoch).toFixed(1)},${py(p.loss).toFixed(1)}`).join(' ');
  const last = points[points.length - 1];
  const label = last
    ? `Training loss by epoch: ${points.map((p) => p.loss.toFixed(4)).join(', ')}`
    : 'No loss reported yet';
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': label,
    class: 'loss-chart',
  });
  if (referencePoints.length > 1) {
    svg.append(s('polyline', { points: line(referencePoints), class: 'loss-reference' }, s('title', {}, 'notebook')));
  }
  if (points.length > 1) svg.append(s('polyline', { points: line(points), class: 'loss-line' }));
  for (const p of points) svg.append(s('circle', { cx: px(p.epoch), cy: py(p.loss), r: 1.8, class: 'loss-dot' }));
  return svg;
}
