// One row per model in the training panel: a progress bar (its fraction also in data attributes
// for tests), the fit time, and a live loss curve for models that report a loss.
import type { FitProgress } from 'recwasm';
import { lossChart } from './charts.js';
import { formatMs, h } from './dom.js';
import type { Preset } from './presets.js';
import type { LossPoint } from './training.js';

export type RowState = 'queued' | 'training' | 'done' | 'cancelled' | 'error';

interface Row {
  item: HTMLLIElement;
  bar: HTMLProgressElement;
  percent: HTMLElement;
  detail: HTMLElement;
  loss: HTMLElement;
  losses: LossPoint[];
  reference: readonly number[] | undefined;
}

export class ProgressView {
  readonly #list: HTMLElement;
  readonly #rows = new Map<string, Row>();
  #showReference = false;

  constructor(list: HTMLElement) {
    this.#list = list;
  }

  /** Fresh rows for these presets, all queued. Notebook losses are drawn on the notebook's data. */
  reset(presets: readonly Preset[], showReference: boolean): void {
    this.#rows.clear();
    this.#showReference = showReference;
    this.#list.replaceChildren(
      ...presets.map((preset) => {
        const barId = `progress-${preset.id.replace(/[^\w-]/g, '-')}`;
        const bar = h('progress', { id: barId, max: 1, value: 0, 'data-model': preset.id, 'data-fraction': 0 });
        const percent = h('span', { class: 'percent' }, '0%');
        const detail = h('span', { class: 'detail' }, 'queued');
        const loss = h('div', { class: 'loss' });
        const item = h(
          'li',
          { 'data-model': preset.id, 'data-kind': preset.kind, 'data-state': 'queued' },
          h('label', { for: barId, class: 'name' }, preset.label),
          bar,
          percent,
          detail,
          loss,
        );
        const row: Row = { item, bar, percent, detail, loss, losses: [], reference: preset.referenceLoss };
        this.#rows.set(preset.id, row);
        return item;
      }),
    );
  }

  #set(row: Row, state: RowState, fraction: number | null, detail: string): void {
    row.item.dataset['state'] = state;
    if (fraction !== null) {
      row.bar.value = fraction;
      row.bar.dataset['fraction'] = String(fraction);
      row.percent.textContent = `${Math.round(fraction * 100)}%`;
    }
    row.detail.textContent = detail;
  }

  start(id: string): void {
    const row = this.#rows.get(id);
    if (row) this.#set(row, 'training', 0, 'training…');
  }

  progress(id: string, progress: FitProgress): void {
    const row = this.#rows.get(id);
    if (!row) return;
    const epochs = progress.epochs > 1 ? `epoch ${progress.epoch}/${progress.epochs}` : 'training…';
    const loss = Number.isFinite(progress.loss) ? ` · loss ${progress.loss.toFixed(4)}` : '';
    // A fit at 100% still ranks the test users before its model arrives; a full bar is kept
    // for a model that is ready, so a run cancelled in that gap never shows a cancelled 100%.
    this.#set(row, 'training', Math.min(progress.fraction, 0.99), `${epochs}${loss}`);
    if (progress.epochEnded && Number.isFinite(progress.loss)) {
      row.losses.push({ epoch: progress.epoch, loss: progress.loss });
      this.#drawLoss(row);
    }
  }

  done(id: string, fitMs: number, losses: readonly LossPoint[], origin: 'trained' | 'restored'): void {
    const row = this.#rows.get(id);
    if (!row) return;
    row.item.dataset['origin'] = origin;
    const last = losses[losses.length - 1];
    const detail = `${origin === 'restored' ? 'restored · fit ' : ''}${formatMs(fitMs)}${last ? ` · loss ${last.loss.toFixed(4)}` : ''}`;
    this.#set(row, 'done', 1, detail);
    row.losses = [...losses];
    this.#drawLoss(row);
  }

  fail(id: string, message: string): void {
    const row = this.#rows.get(id);
    if (row) this.#set(row, 'error', null, message);
  }

  /** Marks every row that did not finish. */
  stopUnfinished(state: 'cancelled' | 'error', detail: string): void {
    for (const row of this.#rows.values()) {
      const current = row.item.dataset['state'];
      if (current === 'queued' || current === 'training') this.#set(row, state, null, detail);
    }
  }

  #drawLoss(row: Row): void {
    if (row.losses.length === 0) {
      row.loss.replaceChildren();
      return;
    }
    const reference = this.#showReference ? row.reference : undefined;
    row.loss.replaceChildren(lossChart(row.losses, reference));
  }
}
