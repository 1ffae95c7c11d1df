import { Dataset } from './dataset.js';
import { requireArgument } from './errors.js';
import { Model } from './model.js';
import { check, raw } from './runtime.js';
import { requireInteger, requireOptions } from './validate.js';

export interface EvaluationOptions {
  /** Cut-off (default 10). */
  k?: number;
  /** Also return every user's ranked list. */
  keepRecommendations?: boolean;
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
  recommendations?: Map<number, { items: number[]; scores: number[] }>;
}

/**
 * The notebook's protocol: every test user (ascending) gets k recommendations excluding their
 * training items; metrics are averaged over users. `model` must be fitted on the same split's
 * train part.
 */
export function evaluate(model: Model, test: Dataset, options: EvaluationOptions = {}): Evaluation {
  requireArgument(model instanceof Model, 'evaluate needs a Model');
  requireArgument(test instanceof Dataset, 'evaluate needs the test Dataset');
  requireOptions(options);
  const k = options.k ?? 10;
  requireInteger(k, 'k', 1, 2 ** 31 - 1);
  const result = check(raw().evaluateModel(model.rawHandle, test.rawHandle, k, options.keepRecommendations ?? false));
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
