// A call that runs out of memory part-way must leave the model answering exactly as before: the
// wasm boundary turns std::bad_alloc into an error and the model keeps serving, and models keep
// per-thread scratch tables between calls that a throw must not leave dirty. Every allocation
// of this test binary goes through the operator new below, which fails on request.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "recwasm/model_registry.h"
#include "recwasm/recommender.h"

namespace {
// Allocations left before the next one fails; negative: none fails.
thread_local long allocationsBeforeFailure = -1;
}  // namespace

// The whole family is replaced: a form left to the runtime (AddressSanitizer's nothrow new, say)
// would allocate memory that these deletes free with a mismatched call.
void* operator new(std::size_t size) {
  if (allocationsBeforeFailure >= 0 && allocationsBeforeFailure-- == 0) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return operator new(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace recwasm;

namespace {

Query userQuery(std::int32_t user) {
  Query q;
  q.user = user;
  return q;
}

struct Answers {
  std::vector<Recommendations> top;
  std::vector<std::vector<double>> scores;
  bool operator==(const Answers& o) const {
    if (top.size() != o.top.size() || scores != o.scores) return false;
    for (std::size_t u = 0; u < top.size(); ++u) {
      if (top[u].items != o.top[u].items || top[u].scores != o.top[u].scores) return false;
    }
    return true;
  }
};

Answers answersOf(const Recommender& model) {
  Answers a;
  RecommendOptions options;
  options.k = 10;
  for (std::int32_t u = 0; u < model.trainingData().numUsers(); ++u) {
    a.top.push_back(model.recommend(userQuery(u), options));
    a.scores.push_back(model.score(userQuery(u)));
  }
  return a;
}

/// Runs `call` with the n-th allocation failing, for n = 0, 1, ... until it completes without
/// reaching the failure; returns how many runs threw std::bad_alloc. `check` runs after each.
template <typename Call, typename Check>
int failEveryAllocation(Call call, Check check) {
  int failures = 0;
  for (long n = 0;; ++n) {
    allocationsBeforeFailure = n;
    bool threw = false;
    try {
      call();
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    const bool reachedFailure = allocationsBeforeFailure < 0;
    allocationsBeforeFailure = -1;
    if (threw) ++failures;
    check();
    if (!reachedFailure) return failures;
  }
}

}  // namespace

TEST_CASE("a call that runs out of memory leaves every model answering as before", "[robust]") {
  std::vector<std::pair<std::string, OptionMap>> models;
  for (const std::string& kind : modelKinds()) models.emplace_back(kind, OptionMap{});
  // Few neighbours: item_knn then also pulls and gathers candidates with more hits than k.
  models.emplace_back("item_knn", OptionMap{{"neighbors", 3.0}});
  models.emplace_back("user_knn", OptionMap{{"neighbors", 3.0}});
  const fixtures::Fixture f = fixtures::notebookDemo();
  for (const auto& [kind, options] : models) {
    INFO("model " << kind << " with " << options.size() << " options set");
    std::unique_ptr<Recommender> model = createRecommender(kind, options);
    model->fit(f.train);
    const Answers before = answersOf(*model);
    const std::int32_t users = model->trainingData().numUsers();
    const std::int32_t items = model->numItems();
    const std::vector<std::int32_t> some = {0, items / 2, items - 1};
    History history;
    for (std::int32_t item = 0; item < items; item += 5) {
      history.items.push_back(item);
      history.values.push_back(1.0 + item % 5);
    }
    for (std::int32_t u = 0; u < users; u += 7) {
      INFO("user " << u);
      bool same = true;
      auto unchanged = [&] { same = same && answersOf(*model) == before; };
      RecommendOptions top10;
      top10.k = 10;
      CHECK(failEveryAllocation([&] { model->recommend(userQuery(u), top10); }, unchanged) > 0);
      CHECK(failEveryAllocation([&] { model->score(userQuery(u)); }, unchanged) > 0);
      CHECK(failEveryAllocation([&] { model->scoreItems(userQuery(u), some); }, unchanged) > 0);
      Query folded;
      folded.history = &history;
      CHECK(failEveryAllocation([&] { model->recommend(folded, top10); }, unchanged) > 0);
      CHECK(same);
    }
  }
}
