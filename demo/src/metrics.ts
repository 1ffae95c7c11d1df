// Metrics at any k up to K_MAX from each user's top-K_MAX list. The models rank
// every test user once (the expensive part, done with training, off the main thread once training
// moves to a worker); switching k then costs no model call. The formulas are the package's
// (recwasm::rankingMetrics): precision = hits / k, recall = hits / max(1, |relevant|), hit rate,
// NDCG with binary gains 1 / log2(rank + 2); means over the test users in ascending order.

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
export type RankedLists = ReadonlyMap<number, readonly number[]>;

export function metricsAt(
  ranked: RankedLists,
  users: readonly number[],
  relevantOf: (user: number) => readonly number[],
  k: number,
): Metrics {
  const sum = { precision: 0, recall: 0, ndcg: 0, hitRate: 0 };
  for (const user of users) {
    const relevant = new Set(relevantOf(user));
    const list = ranked.get(user) ?? [];
    const depth = Math.min(list.length, k);
    let hits = 0;
    let dcg = 0;
    for (let r = 0; r < depth; r++) {
      if (!relevant.has(list[r] ?? NaN)) continue;
      hits += 1;
      dcg += 1 / Math.log2(r + 2);
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(relevant.size, k); r++) idcg += 1 / Math.log2(r + 2);
    sum.precision += hits / k;
    sum.recall += hits / Math.max(1, relevant.size);
    sum.hitRate += hits > 0 ? 1 : 0;
    sum.ndcg += idcg > 0 ? dcg / idcg : 0;
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
