#include "recwasm/evaluation.h"

#include "recwasm/clock.h"
#include "recwasm/error.h"

namespace recwasm {

Evaluation evaluate(const Recommender& model, const Interactions& test,
                    const EvaluationOptions& options) {
  require(options.k > 0, "k must be a positive integer");
  const Interactions& train = model.trainingData();
  require(train.numUsers() == test.numUsers() && train.numItems() == test.numItems(),
          "the model was trained on a different catalogue than the test data");
  const double start = monotonicSeconds();

  Evaluation result;
  result.k = options.k;
  std::vector<std::uint8_t> recommended(static_cast<std::size_t>(test.numItems()), 0);
  std::size_t distinctRecommended = 0;
  std::vector<double> predicted, truth;
  RecommendOptions request;
  request.k = options.k;
  if (options.restrictToCandidates) {
    for (std::int32_t item : options.candidates) {
      require(item >= 0 && item < test.numItems(), "candidate item outside the catalogue");
    }
    request.restrictToAllow = true;
    request.allow = options.candidates;
  }

  for (std::int32_t u = 0; u < test.numUsers(); ++u) {
    Span<std::int32_t> rows = test.rowsOfUser(u);
    if (rows.empty()) continue;
    std::vector<std::int32_t> relevant = test.historyOf(u);
    Query query;
    query.user = u;
    Recommendations recs = model.recommend(query, request);
    RankingMetrics m = rankingMetrics(recs.items, relevant, options.k);
    result.mean.precision += m.precision;
    result.mean.recall += m.recall;
    result.mean.ndcg += m.ndcg;
    result.mean.hitRate += m.hitRate;
    result.mean.mrr += m.mrr;
    result.mean.map += m.map;
    ++result.users;
    for (std::int32_t item : recs.items) {
      std::uint8_t& seen = recommended[static_cast<std::size_t>(item)];
      if (!seen) ++distinctRecommended;
      seen = 1;
    }
    if (model.predictsRatings()) {
      std::vector<std::int32_t> items;
      for (std::int32_t row : rows) {
        items.push_back(test.itemOfRow()[row]);
        truth.push_back(test.values()[static_cast<std::size_t>(row)]);
      }
      std::vector<double> scores = model.scoreItems(query, items);
      predicted.insert(predicted.end(), scores.begin(), scores.end());
    }
    if (options.keepRecommendations) result.perUser.push_back({u, std::move(recs)});
  }

  if (result.users > 0) {
    const auto n = static_cast<double>(result.users);
    result.mean.precision /= n;
    result.mean.recall /= n;
    result.mean.ndcg /= n;
    result.mean.hitRate /= n;
    result.mean.mrr /= n;
    result.mean.map /= n;
  }
  if (test.numItems() > 0) {
    result.coverage =
        static_cast<double>(distinctRecommended) / static_cast<double>(test.numItems());
  }
  if (model.predictsRatings()) {
    result.rmse = rootMeanSquaredError(predicted, truth);
    result.mae = meanAbsoluteError(predicted, truth);
  }
  result.milliseconds = (monotonicSeconds() - start) * 1000.0;
  return result;
}

}  // namespace recwasm
