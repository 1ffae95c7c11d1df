import type { Split } from './data.js';
import { Dataset } from './dataset.js';
import { requireArgument } from './errors.js';
import { Model, type Recommendation } from './model.js';
import { check, raw } from './runtime.js';
import { requireInteger, toFloat64 } from './validate.js';

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
 * model's fallback answers them). Models must be fitted on the same split's train part.
 *
 * Pass one model for one Evaluation, or an array of models for one Evaluation each (same order);
 * the test data may be given as a Dataset or as the Split whose `test` part to use.
 */
export function evaluate(model: Model, test: Dataset | Split, options?: EvaluationOptions): Evaluation;
export function evaluate(models: readonly Model[], test: Dataset | Split, options?: EvaluationOptions): Evaluation[];
export function evaluate(
  models: Model | readonly Model[],
  test: Dataset | Split,
  options: EvaluationOptions = {},
): Evaluation | Evaluation[] {
  requireArgument(test !== null && typeof test === 'object', 'evaluate needs a test Dataset or a Split');
  const testData = test instanceof Dataset ? test : test.test;
  requireArgument(testData instanceof Dataset, 'evaluate needs a test Dataset or a Split');
  if (Array.isArray(models)) return models.map((model: Model) => evaluateOne(model, testData, options));
  return evaluateOne(models as Model, testData, options);
}

function evaluateOne(model: Model, test: Dataset, options: EvaluationOptions): Evaluation {
  requireArgument(model instanceof Model, 'evaluate needs fitted Model objects');
  requireArgument(options !== null && typeof options === 'object', 'evaluation options must be an object');
  const k = options.k ?? 10;
  requireInteger(k, 'k', 1, 2 ** 31 - 1);
  const request: { k: number; keepRecommendations: boolean; candidates?: Float64Array } = {
    k,
    keepRecommendations: options.keepRecommendations ?? false,
  };
  if (options.candidates !== undefined) {
    request.candidates = toFloat64(options.candidates, 'candidates');
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

/** The metrics of one ranked list, all at cut-off k. */
export interface RankingMetrics {
  /** hits / k (k even when the list is shorter), as the notebook defines it. */
  precision: number;
  /** hits / max(1, |relevant|), as the notebook defines it. */
  recall: number;
  /** Binary-gain DCG over the ideal DCG, discounts 1 / log2(rank + 1). */
  ndcg: number;
  /** 1 when any of the first k items is relevant. */
  hitRate: number;
  /** 1 / rank of the first relevant item (0 without one). */
  mrr: number;
  /** Sum of precision@rank at each hit / min(k, |relevant|). */
  map: number;
}

/**
 * The metrics evaluate() averages, for one user's list: `ranked` best first (only the first k
 * count), `relevant` in any order (duplicates count once). Useful to score lists you ranked
 * yourself, e.g. at several k from one long list.
 */
export function rankingMetrics(ranked: ArrayLike<number>, relevant: ArrayLike<number>, k: number): RankingMetrics {
  requireArgument(ranked != null && typeof ranked.length === 'number', 'ranked must be an array of item ids');
  requireArgument(relevant != null && typeof relevant.length === 'number', 'relevant must be an array of item ids');
  requireArgument(typeof k === 'number' && Number.isInteger(k) && k > 0, 'k must be a positive integer');
  const asIds = (ids: ArrayLike<number>) => (ids instanceof Float64Array ? ids : Float64Array.from(ids));
  return check(raw().rankingMetrics(asIds(ranked), asIds(relevant), k));
}
