// Requests and answers in the caller's ids, for the public APIs (TypeScript, CLI). Models work
// in dense ids; this is the one place that translates.
#pragma once

#include <optional>
#include <vector>

#include "recwasm/recommender.h"

namespace recwasm {

struct ExternalRequest {
  std::optional<ExternalId> user;                  ///< absent: a history-only (new) user
  std::optional<std::vector<ExternalId>> history;  ///< replaces the stored history when given
  std::vector<double> historyValues;               ///< empty or one per history item
  int k = 10;
  bool excludeSeen = true;
  std::vector<ExternalId> exclude;
  std::optional<std::vector<ExternalId>> allow;
};

struct ExternalRecommendations {
  std::vector<ExternalId> items;
  std::vector<double> scores;
};

struct ExternalContribution {
  ExternalId item;
  double weight;
};

/// Rules for ids the model does not know:
/// - user: with a history the user is treated as new (fold-in); without, kUnknownUser;
/// - history items: skipped (with their values), so a history may mention newer items;
/// - exclude / allow items: skipped (an unknown item can never be recommended anyway);
/// - the item to explain or to find neighbours of, or an item to score: kUnknownItem.
ExternalRecommendations recommendExternal(const Recommender& model, const ExternalRequest& request);
std::vector<double> scoreExternal(const Recommender& model, const ExternalRequest& request);
/// scoreExternal at `items` only, in their order.
std::vector<double> scoreItemsExternal(const Recommender& model, const ExternalRequest& request,
                                       const std::vector<ExternalId>& items);
ExternalRecommendations similarItemsExternal(const Recommender& model, ExternalId item, int k);
std::vector<ExternalContribution> explainExternal(const Recommender& model,
                                                  const ExternalRequest& request, ExternalId item,
                                                  int topN);

}  // namespace recwasm
