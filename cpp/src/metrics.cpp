#include "recwasm/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "recwasm/error.h"

namespace recwasm {

namespace {

template <class Id>
RankingMetrics rankingMetricsOf(Span<Id> ranked, const std::vector<Id>& relevant, int k) {
  require(k > 0, "k must be a positive integer");
  std::vector<Id> rel(relevant);
  std::sort(rel.begin(), rel.end());
  rel.erase(std::unique(rel.begin(), rel.end()), rel.end());
  auto isRelevant = [&rel](Id item) { return std::binary_search(rel.begin(), rel.end(), item); };

  RankingMetrics m;
  const std::size_t depth = std::min(ranked.size(), static_cast<std::size_t>(k));
  int hits = 0;
  double dcg = 0, precisionSum = 0;
  for (std::size_t r = 0; r < depth; ++r) {
    if (!isRelevant(ranked[r])) continue;
    ++hits;
    dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    precisionSum += static_cast<double>(hits) / static_cast<double>(r + 1);
    if (hits == 1) m.mrr = 1.0 / static_cast<double>(r + 1);
  }
  m.precision = static_cast<double>(hits) / k;
  m.recall = static_cast<double>(hits) / std::max<std::size_t>(1, rel.size());
  m.hitRate = hits > 0 ? 1.0 : 0.0;
  const std::size_t idealHits = std::min(rel.size(), static_cast<std::size_t>(k));
  double idcg = 0;
  for (std::size_t r = 0; r < idealHits; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  m.ndcg = idcg > 0 ? dcg / idcg : 0.0;
  m.map = idealHits > 0 ? precisionSum / static_cast<double>(idealHits) : 0.0;
  return m;
}

}  // namespace

RankingMetrics rankingMetrics(Span<std::int32_t> ranked, const std::vector<std::int32_t>& relevant,
                              int k) {
  return rankingMetricsOf(ranked, relevant, k);
}

RankingMetrics rankingMetrics(Span<std::int64_t> ranked, const std::vector<std::int64_t>& relevant,
                              int k) {
  return rankingMetricsOf(ranked, relevant, k);
}

double rootMeanSquaredError(Span<double> predicted, Span<double> truth) {
  require(predicted.size() == truth.size(), "predictions and truth differ in length");
  if (predicted.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    double d = predicted[i] - truth[i];
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(predicted.size()));
}

double meanAbsoluteError(Span<double> predicted, Span<double> truth) {
  require(predicted.size() == truth.size(), "predictions and truth differ in length");
  if (predicted.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) sum += std::abs(predicted[i] - truth[i]);
  return sum / static_cast<double>(predicted.size());
}

}  // namespace recwasm
