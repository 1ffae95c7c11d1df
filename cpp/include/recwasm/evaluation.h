// The notebook's evaluation protocol: for every user with test rows (ascending), recommend k
// items excluding the user's training items (seen = train items), and score the list against the
// user's test items (relevant = test items). Users without training rows are still evaluated:
// the model answers with its cold-start fallback, as the notebook's models do.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "recwasm/metrics.h"
#include "recwasm/recommender.h"

namespace recwasm {

struct EvaluationOptions {
  int k = 10;
  bool keepRecommendations = false;  ///< fill Evaluation::perUser
  /// When set, only these items (dense ids) may be recommended. The CLI uses it to reproduce a
  /// notebook detail without putting it inside the models: the notebook's rating-matrix models
  /// (user_knn, item_knn, mf, two_tower) only score item ids below max(item id in all ratings)
  /// + 1, its `n_items`, while content, co-visitation and popularity see every item.
  bool restrictToCandidates = false;
  std::vector<std::int32_t> candidates;
};

struct UserRecommendations {
  std::int32_t user;  ///< dense id
  Recommendations recommendations;
};

struct Evaluation {
  int k = 10;
  std::size_t users = 0;  ///< users evaluated (those with test rows)
  RankingMetrics mean;    ///< each metric averaged over users
  double coverage = 0;    ///< distinct recommended items / catalogue size (all items)
  double rmse = std::numeric_limits<double>::quiet_NaN();  ///< on test rows, rating models only
  double mae = std::numeric_limits<double>::quiet_NaN();
  double milliseconds = 0;  ///< wall time of the whole evaluation
  std::vector<UserRecommendations> perUser;
};

/// `model` must be fitted on the training part of the same split (same catalogues as `test`);
/// kInvalidArgument otherwise, or for k < 1 or candidates outside the catalogue.
/// `milliseconds` times the whole evaluation (recommending and scoring every user).
Evaluation evaluate(const Recommender& model, const Interactions& test,
                    const EvaluationOptions& options = {});

}  // namespace recwasm
