import type { Dataset } from './dataset.js';
import { requireArgument } from './errors.js';
import type { Model, Recommendation } from './model.js';
import { check, raw } from './runtime.js';

export interface EvaluationOptions {
  /** Cut-off (default 10). */
  k?: number;
  /** Also return every user's ranked list. */
  keepRecommendations?: boolean;
  /**
   * When given, the only items that may be recommended (unknown ids are ignored). The CLI uses
   * it to reproduce the notebook's rating-matrix models, which only score item ids below
   * max(item id in all ratings) + 1.
   */
  candidates?: ArrayLike<number>;
}

export interface Evaluation {
  /** Users evaluated: those with test rows. */
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  hitRate: number;
  mrr: number;
  map: number;
  /** Distinct recommended items / catalogue size. */
  coverage: number;
  /** Rating models only (NaN otherwise). */
  rmse: number;
  mae: number;
  milliseconds: number;
  /** With keepRecommendations: user id -> ranked items and scores. */
  recommendations?: Map<number, Recommendation>;
}

/**
 * The notebook's protocol: every test user (ascending) gets k recommendations excluding their
 * training items (seen = train items) and is scored against their test items (relevant = test
 * items); metrics are averaged over users. Users without training rows are evaluated too (the
 * model's fallback answers them). `model` must be fitted on the same split's train part.
 */
export function evaluate(model: Model, test: Dataset, options: EvaluationOptions = {}): Evaluation {
  requireArgument(options !== null && typeof options === 'object', 'evaluation options must be an object');
  const k = options.k ?? 10;
  requireArgument(typeof k === 'number', 'k must be a number');
  const request: { k: number; keepRecommendations: boolean; candidates?: Float64Array } = {
    k,
    keepRecommendations: options.keepRecommendations ?? false,
  };
  if (options.candidates !== undefined) {
    const candidates = options.candidates;
    requireArgument(
      candidates !== null && typeof candidates.length === 'number',
      'candidates must be an array of item ids',
    );
    request.candidates = candidates instanceof Float64Array ? candidates : Float64Array.from(candidates);
  }
  const result = check(raw().evaluateModel(model.rawHandle, test.rawHandle, request));
  const { recommendations, ...metrics } = result;
  const out: Evaluation = { ...metrics };
  if (recommendations) {
    out.recommendations = new Map();
    recommendations.users.forEach((user, i) => {
      out.recommendations?.set(user, {
        items: Array.from(recommendations.items[i] ?? []),
        scores: Array.from(recommendations.scores[i] ?? []),
      });
    });
  }
  return out;
}
