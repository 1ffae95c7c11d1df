// Fuzzes serving: every registered model, fitted once on the notebook's training split, gets
// fuzzed requests (users known, unknown or negative; histories with unknown items and odd
// values; k from INT_MIN to INT_MAX; exclude and allow lists) through the dense API and the
// external-id API the TypeScript package uses. Answers must satisfy the ranking invariants,
// failures must be typed, and no call may change what the model answers afterwards.
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "recwasm/demo_data.h"
#include "recwasm/external_ids.h"
#include "recwasm/model_registry.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

struct Fitted {
  std::unique_ptr<Recommender> model;
  Recommendations reference;  // user 2's top-10, compared after every fuzzed call
};

Query referenceQuery() {
  Query q;
  q.user = 2;
  return q;
}

std::vector<Fitted>& models() {
  static std::vector<Fitted> all = [] {
    Dataset full = demoDataset(generateDemoData({}));
    Dataset train = full;
    train.interactions =
        std::make_shared<Interactions>(leaveOneOutSplit(*full.interactions, 42).train);
    std::vector<Fitted> out;
    for (const std::string& kind : modelKinds()) {
      Fitted f{createRecommender(kind, {}), {}};
      f.model->fit(train);
      f.reference = f.model->recommend(referenceQuery(), RecommendOptions{});
      out.push_back(std::move(f));
    }
    return out;
  }();
  return all;
}

int fuzzedK(fuzz::ByteReader& in) {
  static const int kSpecial[] = {INT_MIN, -1, 0, 1, 3, 10, 59, 60, 61, 1000, INT_MAX};
  if (in.flag()) return kSpecial[in.byte() % (sizeof(kSpecial) / sizeof(kSpecial[0]))];
  return static_cast<int>(in.intIn(-2, 70));
}

std::int64_t fuzzedId(fuzz::ByteReader& in) {
  switch (in.byte() % 8) {
    case 0:
      return in.pod<std::int64_t>();
    case 1:
      return -1;
    default:
      return in.intIn(-2, 64);  // the demo has 30 users and 60 items
  }
}

std::vector<std::int32_t> denseList(fuzz::ByteReader& in) {
  std::vector<std::int32_t> out;
  for (int n = in.byte() % 12; n > 0; --n) out.push_back(static_cast<std::int32_t>(fuzzedId(in)));
  return out;
}

std::vector<ExternalId> externalList(fuzz::ByteReader& in) {
  std::vector<ExternalId> out;
  for (int n = in.byte() % 12; n > 0; --n) out.push_back(fuzzedId(in));
  return out;
}

void denseCall(const Recommender& model, fuzz::ByteReader& in) {
  const std::int32_t numItems = model.numItems();
  Query query;
  query.user = in.flag() ? static_cast<std::int32_t>(fuzzedId(in)) : Query::kNoUser;
  History history;
  if (in.flag()) {
    history.items = denseList(in);
    if (in.flag()) {
      // Usually one value per item, sometimes one too many or too few.
      const std::int64_t n = static_cast<std::int64_t>(history.items.size()) + in.intIn(-1, 1);
      for (std::int64_t i = 0; i < n; ++i) history.values.push_back(in.number());
    }
    query.history = &history;
  }
  RecommendOptions options;
  options.k = fuzzedK(in);
  options.excludeSeen = in.flag();
  options.exclude = denseList(in);
  options.restrictToAllow = in.flag();
  if (options.restrictToAllow) options.allow = denseList(in);
  const std::vector<std::int32_t> seen =
      query.history ? history.items
                    : (query.user >= 0 && query.user < model.trainingData().numUsers()
                           ? model.trainingData().historyOf(query.user)
                           : std::vector<std::int32_t>{});
  const std::initializer_list<ErrorCode> expected = {
      ErrorCode::kInvalidArgument, ErrorCode::kUnknownUser, ErrorCode::kUnknownItem,
      ErrorCode::kUnsupported};
  try {
    switch (in.byte() % 4) {
      case 0:
        fuzz::checkRecommendations(model.recommend(query, options), options.k, numItems, seen,
                                   &options);
        break;
      case 1:
        fuzz::checkScores(model.score(query), numItems);
        break;
      case 2: {
        int k = fuzzedK(in);
        fuzz::checkRecommendations(model.similarItems(static_cast<std::int32_t>(fuzzedId(in)), k),
                                   k, numItems, {}, nullptr);
        break;
      }
      default: {
        int topN = fuzzedK(in);
        std::vector<Contribution> why =
            model.explain(query, static_cast<std::int32_t>(fuzzedId(in)), topN);
        fuzz::expect(static_cast<std::int64_t>(why.size()) <= topN, "at most topN contributions");
        for (const Contribution& c : why) {
          fuzz::expect(c.item >= 0 && c.item < numItems, "contributions are catalogue items");
          fuzz::expect(!std::isnan(c.weight), "contribution weights are never NaN");
        }
      }
    }
  } catch (const Error& e) {
    fuzz::expectCode(e, expected);
  }
}

void externalCall(const Recommender& model, fuzz::ByteReader& in) {
  ExternalRequest request;
  if (in.flag()) request.user = fuzzedId(in);
  if (in.flag()) request.history = externalList(in);
  if (in.flag()) {
    for (int n = in.byte() % 12; n > 0; --n) request.historyValues.push_back(in.number());
  }
  request.k = fuzzedK(in);
  request.excludeSeen = in.flag();
  request.exclude = externalList(in);
  if (in.flag()) request.allow = externalList(in);
  try {
    switch (in.byte() % 4) {
      case 0: {
        ExternalRecommendations recs = recommendExternal(model, request);
        fuzz::expect(recs.items.size() == recs.scores.size(), "one score per item");
        fuzz::expect(static_cast<std::int64_t>(recs.items.size()) <= request.k, "at most k");
        for (double s : recs.scores) fuzz::expect(!std::isnan(s), "scores are never NaN");
        break;
      }
      case 1:
        fuzz::checkScores(scoreExternal(model, request), model.numItems());
        break;
      case 2:
        similarItemsExternal(model, fuzzedId(in), request.k);
        break;
      default:
        explainExternal(model, request, fuzzedId(in), request.k);
    }
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kInvalidArgument, ErrorCode::kUnknownUser,
                         ErrorCode::kUnknownItem, ErrorCode::kUnsupported});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  Fitted& fitted = models()[in.byte() % models().size()];
  fuzz::Context serving(fitted.model->kind() + " serving fuzzed requests");
  for (int calls = 0; calls < 4 && !in.empty(); ++calls) {
    if (in.flag()) {
      externalCall(*fitted.model, in);
    } else {
      denseCall(*fitted.model, in);
    }
  }
  Recommendations after = fitted.model->recommend(referenceQuery(), RecommendOptions{});
  fuzz::expect(after.items == fitted.reference.items && after.scores == fitted.reference.scores,
               "no request changes what the model answers");
  return 0;
}
