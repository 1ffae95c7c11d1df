#include "recwasm/external_ids.h"

#include "recwasm/cold.h"
#include "recwasm/error.h"

namespace recwasm {

namespace {

// The dense form of a request; `history` must outlive the Query that points into it.
struct DenseRequest {
  Query query;
  History history;
  RecommendOptions options;
};

std::int32_t denseItem(const Recommender& model, ExternalId item) {
  std::optional<std::int32_t> dense = model.trainingData().items().dense(item);
  if (!dense) fail(ErrorCode::kUnknownItem, "item " + std::to_string(item) + " is not known");
  return *dense;
}

void toDense(const Recommender& model, const ExternalRequest& request, DenseRequest& out) {
  const Interactions& train = model.trainingData();
  require(request.historyValues.empty() ||
              (request.history && request.historyValues.size() == request.history->size()),
          "history values must be absent or one per history item");
  if (request.user) {
    std::optional<std::int32_t> user = train.users().dense(*request.user);
    if (user) {
      out.query.user = *user;
    } else if (!request.history) {
      fail(ErrorCode::kUnknownUser, "user " + std::to_string(*request.user) +
                                        " is not known; pass a history to fold them in");
    }
  }
  if (request.history) {
    for (std::size_t i = 0; i < request.history->size(); ++i) {
      std::optional<std::int32_t> item = train.items().dense((*request.history)[i]);
      if (!item) continue;
      out.history.items.push_back(*item);
      if (!request.historyValues.empty()) out.history.values.push_back(request.historyValues[i]);
    }
    out.query.history = &out.history;
  } else if (!request.user) {
    fail(ErrorCode::kUnknownUser, "a request needs a user or a history");
  }
  out.options.k = request.k;
  out.options.excludeSeen = request.excludeSeen;
  for (ExternalId id : request.exclude) {
    if (auto item = train.items().dense(id)) out.options.exclude.push_back(*item);
  }
  if (request.allow) {
    out.options.restrictToAllow = true;
    for (ExternalId id : *request.allow) {
      if (auto item = train.items().dense(id)) out.options.allow.push_back(*item);
    }
  }
}

ExternalRecommendations toExternal(const Recommender& model, Recommendations recs) {
  ExternalRecommendations out;
  out.scores = std::move(recs.scores);
  const IdMap& items = model.trainingData().items();
  out.items.reserve(recs.items.size());
  for (std::int32_t item : recs.items) out.items.push_back(items.external(item));
  return out;
}

}  // namespace

ExternalRecommendations recommendExternal(const Recommender& model,
                                          const ExternalRequest& request) {
  DenseRequest dense;
  toDense(model, request, dense);
  return toExternal(model, model.recommend(dense.query, dense.options));
}

std::vector<double> scoreExternal(const Recommender& model, const ExternalRequest& request) {
  DenseRequest dense;
  toDense(model, request, dense);
  return model.score(dense.query);
}

RECWASM_COLD std::vector<double> scoreItemsExternal(const Recommender& model,
                                                    const ExternalRequest& request,
                                                    const std::vector<ExternalId>& items) {
  std::vector<std::int32_t> dense;
  dense.reserve(items.size());
  for (ExternalId item : items) dense.push_back(denseItem(model, item));
  DenseRequest denseRequest;
  toDense(model, request, denseRequest);
  return model.scoreItems(denseRequest.query, dense);
}

ExternalRecommendations similarItemsExternal(const Recommender& model, ExternalId item, int k) {
  return toExternal(model, model.similarItems(denseItem(model, item), k));
}

std::vector<ExternalContribution> explainExternal(const Recommender& model,
                                                  const ExternalRequest& request, ExternalId item,
                                                  int topN) {
  DenseRequest dense;
  toDense(model, request, dense);
  std::vector<ExternalContribution> out;
  for (const Contribution& c : model.explain(dense.query, denseItem(model, item), topN)) {
    out.push_back({model.trainingData().items().external(c.item), c.weight});
  }
  return out;
}

}  // namespace recwasm
