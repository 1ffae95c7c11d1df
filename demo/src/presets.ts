// What "Train all" trains: one notebook preset per model kind the package registers, plus the
// better variants as (kind, options) pairs. Everything the page shows about models comes from
// this table and from Model.kinds(), so a newly registered model appears without UI changes.
import { MODEL_VARIANTS, Model, RecwasmError, type ModelKind, type Recommendation } from 'recwasm';
import type { LazyModel } from './lazy-model.js';
import type { LossPoint } from './training.js';

export type OptionValues = Record<string, number | boolean | string>;

export interface NotebookReference {
  precision: number;
  recall: number;
  /** Why our figure may differ from the notebook's printed one. */
  note?: string;
}

export interface Preset {
  /** Unique and stable (stored with saved models): the kind, or `kind:variant`. */
  id: string;
  kind: ModelKind;
  label: string;
  /** Options passed to Model.create; {} is the notebook's configuration. */
  options: OptionValues;
  /** True for the notebook's configuration of the kind. */
  notebook: boolean;
  /** The notebook's printed P@10 / R@10 on its default dataset (notebook presets only). */
  reference?: NotebookReference;
  /** The notebook's printed training loss per epoch, where it printed one. */
  referenceLoss?: readonly number[];
  /** True when the model is deterministic: our figures must equal the notebook's exactly. */
  deterministic: boolean;
  /** One line on what the model does, shown in its card. */
  summary: string;
  /** Shown beside each recommendation when the model cannot explain() it. */
  explainFallback?: string;
}

interface KindInfo {
  label: string;
  summary: string;
  deterministic: boolean;
  reference?: NotebookReference;
  referenceLoss?: readonly number[];
  explainFallback?: string;
}

// Facts from the notebook (its printed outputs) and ../shared/DESIGN.md.
const KIND_INFO: Partial<Record<string, KindInfo>> = {
  popularity: {
    label: 'Popularity',
    summary: 'Most-rated items first.',
    deterministic: true,
    explainFallback: 'rated by many users',
    reference: {
      precision: 0.037,
      recall: 0.367,
      note: 'the notebook printed 0.030 / 0.300 from pandas’ unstable tie order; with ties broken by lower item id its code gives 0.037 / 0.367',
    },
  },
  content_tfidf: {
    label: 'Content TF-IDF',
    summary: 'Cosine between item descriptions and the mean TF-IDF of the user’s history.',
    deterministic: true,
    reference: { precision: 0.08, recall: 0.8 },
  },
  covisitation: {
    label: 'Co-visitation',
    summary: 'Items seen in the same sessions as the user’s last item.',
    deterministic: true,
    reference: { precision: 0.043, recall: 0.433 },
  },
  user_knn: {
    label: 'User kNN',
    summary: 'Ratings of users with similar taste (Pearson).',
    deterministic: true,
    reference: { precision: 0.037, recall: 0.367 },
  },
  item_knn: {
    label: 'Item kNN',
    summary: 'Items rated like the ones the user rated (cosine).',
    deterministic: true,
    reference: { precision: 0.033, recall: 0.333 },
  },
  mf: {
    label: 'Matrix factorisation',
    summary: 'Biased matrix factorisation trained with Adam.',
    deterministic: false,
    reference: {
      precision: 0.047,
      recall: 0.467,
      note: 'one TensorFlow run; ours is seeded but not TensorFlow’s draws',
    },
    referenceLoss: [0.8039, 0.8318, 0.805, 0.6996, 0.676, 0.634, 0.548, 0.4863, 0.4314, 0.3583],
  },
  two_tower: {
    label: 'Two-tower',
    summary: 'User and item embeddings trained on positives and sampled negatives.',
    deterministic: false,
    reference: { precision: 0.05, recall: 0.5, note: 'one TensorFlow run; ours is seeded but not TensorFlow’s draws' },
    referenceLoss: [0.6911, 0.643, 0.6131, 0.5805, 0.5675, 0.5558, 0.5404, 0.562, 0.5523, 0.5364],
  },
};

export interface PresetCatalogue {
  presets: Preset[];
  /** Variants this build rejected (unknown option names or values), with the reason. */
  unavailable: { id: string; label: string; reason: string }[];
}

function accepts(kind: ModelKind, options: OptionValues): string | null {
  try {
    Model.create(kind, options).dispose();
    return null;
  } catch (error) {
    if (error instanceof RecwasmError) return error.message;
    throw error;
  }
}

/** Notebook presets for every registered kind, then each registered kind's accepted variants. */
export function buildCatalogue(): PresetCatalogue {
  const kinds = Model.kinds();
  const presets: Preset[] = [];
  const unavailable: PresetCatalogue['unavailable'] = [];
  for (const kind of kinds) {
    const info = KIND_INFO[kind];
    const base = {
      kind,
      deterministic: info?.deterministic ?? false,
      summary: info?.summary ?? '',
      ...(info?.explainFallback ? { explainFallback: info.explainFallback } : {}),
    };
    const preset: Preset = { ...base, id: kind, label: info?.label ?? kind, options: {}, notebook: true };
    if (info?.reference) preset.reference = info.reference;
    if (info?.referenceLoss) preset.referenceLoss = info.referenceLoss;
    if (info?.explainFallback) preset.explainFallback = info.explainFallback;
    presets.push(preset);
    // Variants right after their notebook row, so the table shows them side by side.
    for (const variant of MODEL_VARIANTS.filter((v) => v.kind === kind)) {
      const options: OptionValues = { ...variant.options };
      const reason = accepts(kind, options);
      if (reason !== null) unavailable.push({ id: variant.id, label: variant.label, reason });
      else presets.push({ ...base, id: variant.id, label: variant.label, options, notebook: false });
    }
  }
  return { presets, unavailable };
}

/** A trained (or restored) model and how it was made. */
export interface ModelEntry {
  preset: Preset;
  /** Loaded on first use, or when the page is idle. */
  model: LazyModel;
  fitMs: number;
  losses: LossPoint[];
  /**
   * Every test user's top-K_MAX with scores, as the worker ranked them (or as they were saved);
   * metrics at any k come from these.
   */
  lists: Map<number, Recommendation>;
  origin: 'trained' | 'restored';
}

/**
 * The preset a saved model belongs to: the catalogue's when this build still has it, otherwise
 * one rebuilt from what the snapshot says (so models saved by another build still show).
 */
export function presetFor(catalogue: PresetCatalogue, id: string, model: Model, label: string): Preset {
  const known = catalogue.presets.find((p) => p.id === id);
  if (known) return known;
  const { kind, options } = model.info();
  const info = KIND_INFO[kind];
  const notebook = !id.includes(':');
  const preset: Preset = {
    id,
    kind,
    label,
    options: { ...options },
    notebook,
    deterministic: info?.deterministic ?? false,
    summary: info?.summary ?? '',
  };
  if (notebook && info?.reference) preset.reference = info.reference;
  if (notebook && info?.referenceLoss) preset.referenceLoss = info.referenceLoss;
  if (info?.explainFallback) preset.explainFallback = info.explainFallback;
  return preset;
}
