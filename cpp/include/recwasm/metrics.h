// Ranking and rating metrics. precision@k and recall@k are the notebook's definitions.
#pragma once

#include <cstdint>
#include <vector>

#include "recwasm/span.h"

namespace recwasm {

/// Metrics of one ranked list against one user's relevant items, all "@k".
struct RankingMetrics {
  double precision = 0;  ///< hits / k (k even when fewer items were returned)
  double recall = 0;     ///< hits / max(1, |relevant|)
  double ndcg = 0;       ///< binary-gain DCG / ideal DCG, log2(rank + 1) discounts
  double hitRate = 0;    ///< 1 if any hit
  double mrr = 0;        ///< 1 / rank of the first hit
  double map = 0;        ///< sum of precision@rank at hits / min(k, |relevant|)
};

/// `ranked` is best first; only its first k entries count. `relevant` may be in any order and
/// contain duplicates (they count once, as the notebook's `set` does). Defined for dense ids and
/// for external ids (the TypeScript `rankingMetrics` passes the caller's ids).
RankingMetrics rankingMetrics(Span<std::int32_t> ranked, const std::vector<std::int32_t>& relevant,
                              int k);
RankingMetrics rankingMetrics(Span<std::int64_t> ranked, const std::vector<std::int64_t>& relevant,
                              int k);

/// sqrt(mean((p - t)^2)) and mean(|p - t|) over equal-length vectors (NaN when empty).
double rootMeanSquaredError(Span<double> predicted, Span<double> truth);
double meanAbsoluteError(Span<double> predicted, Span<double> truth);

}  // namespace recwasm
