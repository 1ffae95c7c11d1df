// The notebook's evaluation protocol: for every user with test rows (ascending), recommend k
// items excluding the user's training items, and score the list against the test items.
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
};

struct UserRecommendations {
  std::int32_t user;  ///< dense id
  Recommendations recommendations;
};

struct Evaluation {
  int k = 10;
  std::size_t users = 0;  ///< users evaluated (those with test rows)
  RankingMetrics mean;    ///< each metric averaged over users
  double coverage = 0;    ///< distinct recommended items / catalogue size
  double rmse = std::numeric_limits<double>::quiet_NaN();  ///< on test rows, rating models only
  double mae = std::numeric_limits<double>::quiet_NaN();
  double milliseconds = 0;  ///< wall time of the whole evaluation
  std::vector<UserRecommendations> perUser;
};

/// `model` must be fitted on the training part of the same split (same catalogues as `test`).
Evaluation evaluate(const Recommender& model, const Interactions& test,
                    const EvaluationOptions& options = {});

}  // namespace recwasm
