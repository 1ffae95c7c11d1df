// Metrics at any k up to K_MAX from each user's top-K_MAX list. The models rank every test user
// once, in the training worker; switching k then costs no model call, only the package's
// rankingMetrics per user, averaged over the test users in ascending order as evaluate() does.
import { rankingMetrics } from 'recwasm';

/** The largest k the page offers; lists are kept this long. */
export const K_MAX = 20;

export interface Metrics {
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  hitRate: number;
}

/** User -> their ranked items (at least K_MAX long unless the model returned fewer). */
export type RankedLists = ReadonlyMap<number, { readonly items: readonly number[] }>;

export function metricsAt(
  ranked: RankedLists,
  users: readonly number[],
  relevantOf: (user: number) => readonly number[],
  k: number,
): Metrics {
  const sum = { precision: 0, recall: 0, ndcg: 0, hitRate: 0 };
  for (const user of users) {
    const m = rankingMetrics(ranked.get(user)?.items ?? [], relevantOf(user), k);
    sum.precision += m.precision;
    sum.recall += m.recall;
    sum.ndcg += m.ndcg;
    sum.hitRate += m.hitRate;
  }
  const n = users.length;
  if (n === 0) return { users: 0, precision: 0, recall: 0, ndcg: 0, hitRate: 0 };
  return {
    users: n,
    precision: sum.precision / n,
    recall: sum.recall / n,
    ndcg: sum.ndcg / n,
    hitRate: sum.hitRate / n,
  };
}
