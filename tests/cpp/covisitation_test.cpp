#include <algorithm>
#include <random>

#include "fixtures.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/covisitation.h"

using namespace recwasm;
using fixtures::errorOf;

namespace {

using Sessions = std::vector<std::vector<std::int32_t>>;

Query userQuery(std::int32_t user) {
  Query q;
  q.user = user;
  return q;
}

RecommendOptions topK(int k, bool excludeSeen = true) {
  RecommendOptions o;
  o.k = k;
  o.excludeSeen = excludeSeen;
  return o;
}

std::vector<std::int32_t> neighborsOf(const CovisitationGraph& g, std::int32_t a) {
  return {g.neighbors.begin() + g.offsets[static_cast<std::size_t>(a)],
          g.neighbors.begin() + g.offsets[static_cast<std::size_t>(a) + 1]};
}

/// The notebook's procedure written naively: a per-item list of (partner, count) in insertion
/// order, every pair of every de-duplicated session counted, then a stable sort by count.
CovisitationGraph naiveCovisitation(std::int32_t numItems, const Sessions& sessions, int keep) {
  std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> counter(
      static_cast<std::size_t>(numItems));
  for (const auto& session : sessions) {
    std::vector<std::int32_t> unique;
    for (std::int32_t item : session) {
      if (std::find(unique.begin(), unique.end(), item) == unique.end()) unique.push_back(item);
    }
    for (std::int32_t a : unique) {
      for (std::int32_t b : unique) {
        if (a == b) continue;
        auto& row = counter[static_cast<std::size_t>(a)];
        auto it = std::find_if(row.begin(), row.end(), [&](const auto& e) { return e.first == b; });
        if (it == row.end()) {
          row.emplace_back(b, 1);
        } else {
          ++it->second;
        }
      }
    }
  }
  CovisitationGraph g;
  for (auto& row : counter) {
    std::stable_sort(row.begin(), row.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    if (row.size() > static_cast<std::size_t>(keep)) row.resize(static_cast<std::size_t>(keep));
    for (const auto& [b, c] : row) {
      g.neighbors.push_back(b);
      g.counts.push_back(c);
    }
    g.offsets.push_back(static_cast<std::int64_t>(g.neighbors.size()));
  }
  return g;
}

/// Users 0..users-1, items 0..items-1; rows in the given order (rating 1).
Dataset sessionDataset(int users, int items, const std::vector<std::int32_t>& userOfRow,
                       const std::vector<std::int32_t>& itemOfRow, Sessions sessions) {
  Dataset d;
  d.interactions =
      std::make_shared<Interactions>(std::make_shared<IdMap>(IdMap::identity(users)),
                                     std::make_shared<IdMap>(IdMap::identity(items)), userOfRow,
                                     itemOfRow, std::vector<double>(userOfRow.size(), 1.0));
  d.sessions = std::make_shared<Sessions>(std::move(sessions));
  return d;
}

}  // namespace

TEST_CASE("covisitation reproduces the notebook on seed 42", "[covisitation]") {
  const fixtures::Fixture f = fixtures::notebookDemo();
  Covisitation model({});
  model.fit(f.train);
  const Evaluation e = evaluate(model, *f.test, {});
  CHECK(e.users == 30);
  CHECK(e.mean.precision == Approx(13.0 / 300).margin(1e-12));
  CHECK(e.mean.recall == Approx(13.0 / 30).margin(1e-12));
  // The notebook's printed list for u_demo = 2 (last_item=38), shorter than k as printed.
  CHECK(f.train.interactions->historyOf(2).back() == 38);
  const Recommendations r = model.recommend(userQuery(2), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{15, 57, 32, 22, 26, 39, 58});
  CHECK(model.explain(userQuery(2), 15, 3).front().item == 38);
  CHECK(model.explain(userQuery(2), 15, 3).front().weight == r.scores.front());
}

TEST_CASE("co-visitation counts sessions, ties in first-counted order", "[covisitation]") {
  // Item 1 meets 5 and 3 in session 0 (counted in that order), 4 in sessions 1 and 2;
  // duplicates inside a session count once.
  const Sessions sessions = {{5, 3, 1, 5, 1}, {1, 4}, {4, 1, 4}, {}, {2}};
  const CovisitationGraph g = buildCovisitation(6, sessions, 50);
  CHECK(neighborsOf(g, 1) == std::vector<std::int32_t>{4, 5, 3});
  CHECK(
      std::vector<std::int32_t>(g.counts.begin() + g.offsets[1], g.counts.begin() + g.offsets[2]) ==
      std::vector<std::int32_t>{2, 1, 1});
  CHECK(neighborsOf(g, 5) == std::vector<std::int32_t>{3, 1});
  CHECK(neighborsOf(g, 3) == std::vector<std::int32_t>{5, 1});
  CHECK(neighborsOf(g, 0).empty());
  CHECK(neighborsOf(g, 2).empty());
  CHECK(neighborsOf(buildCovisitation(6, sessions, 1), 1) == std::vector<std::int32_t>{4});

  CHECK(errorOf([] { buildCovisitation(3, {{0, 3}}, 50); }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([] { buildCovisitation(3, {{-1}}, 50); }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([] { buildCovisitation(3, {{0, 1}}, 0); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("co-visitation agrees with the naive procedure on random sessions", "[covisitation]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const std::int32_t items = 1 + static_cast<std::int32_t>(rng() % 30);
    const int keep = 1 + static_cast<int>(rng() % 12);
    Sessions sessions(rng() % 25);
    for (auto& s : sessions) {
      s.resize(rng() % 12);
      for (auto& item : s) item = static_cast<std::int32_t>(rng() % static_cast<unsigned>(items));
    }
    INFO("trial " << trial);
    const CovisitationGraph fast = buildCovisitation(items, sessions, keep);
    const CovisitationGraph naive = naiveCovisitation(items, sessions, keep);
    CHECK(fast.offsets == naive.offsets);
    CHECK(fast.neighbors == naive.neighbors);
    CHECK(fast.counts == naive.counts);
  }
}

TEST_CASE("covisitation recommends the last item's neighbours, else popularity", "[covisitation]") {
  // Sessions: 0 meets 1 (twice) and 2; 3 meets nobody. Training rows by user:
  // user 0: 3, 0 (last 0); user 1: 0, 3 (last 3, no neighbours); user 2: nothing;
  // user 3: 1, 2, 0 (every neighbour of 0 seen). Popularity: 0 x3, 3 x2, 1 and 2 x1.
  Dataset data =
      sessionDataset(4, 5, {0, 0, 1, 1, 3, 3, 3}, {3, 0, 0, 3, 1, 2, 0}, {{0, 1}, {1, 0, 2}, {3}});
  Covisitation model({});
  model.fit(data);

  Recommendations r = model.recommend(userQuery(0), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{1, 2});  // short list as is
  CHECK(r.scores == std::vector<double>{2, 1});
  r = model.recommend(userQuery(1), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{1, 2});  // no neighbours: popularity
  CHECK(r.scores == std::vector<double>{1, 1});
  CHECK(model.recommend(userQuery(2), topK(2)).items == std::vector<std::int32_t>{0, 3});
  CHECK(model.recommend(userQuery(3), topK(10)).items == std::vector<std::int32_t>{3});

  // score(): neighbour counts, -inf elsewhere; popularity without neighbours.
  std::vector<double> s = model.score(userQuery(0));
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(s == std::vector<double>{-inf, 2, 1, -inf, -inf});
  s = model.score(userQuery(1));
  CHECK(s == std::vector<double>{3, 1, 1, 2, -inf});

  // Fold-in uses the last supplied item.
  History h;
  h.items = {0, 1};
  r = model.recommend(Query{Query::kNoUser, &h}, topK(10));
  CHECK(r.items == std::vector<std::int32_t>{2});

  CHECK(model.similarItems(0, 10).items == std::vector<std::int32_t>{1, 2});
  CHECK(model.similarItems(0, 1).items == std::vector<std::int32_t>{1});
  CHECK(model.similarItems(4, 10).items.empty());
  const std::vector<Contribution> why = model.explain(userQuery(0), 1, 3);
  REQUIRE(why.size() == 1);
  CHECK(why[0].item == 0);
  CHECK(why[0].weight == 2.0);
  CHECK(model.explain(userQuery(0), 3, 3).empty());
  CHECK(model.explain(userQuery(2), 1, 3).empty());
}

TEST_CASE("covisitation can pad its list to k with popularity", "[covisitation]") {
  Dataset data =
      sessionDataset(4, 5, {0, 0, 1, 1, 3, 3, 3}, {3, 0, 0, 3, 1, 2, 0}, {{0, 1}, {1, 0, 2}, {3}});
  Covisitation model({{"pad_with_popularity", true}});
  model.fit(data);
  // User 0 (last item 0): neighbours 1, 2, then popular unseen items: none left but 4, which
  // never occurs in training and is not ranked.
  Recommendations r = model.recommend(userQuery(0), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{1, 2});
  r = model.recommend(userQuery(0), topK(10, false));
  CHECK(r.items == std::vector<std::int32_t>{1, 2, 0, 3});
  CHECK(r.scores == std::vector<double>{2, 1, 3.0 / 4, 2.0 / 4});
  // User 2 (no history): the popularity ranking with padding scores.
  r = model.recommend(userQuery(2), topK(3));
  CHECK(r.items == std::vector<std::int32_t>{0, 3, 1});
  CHECK(r.scores == std::vector<double>{3.0 / 4, 2.0 / 4, 1.0 / 4});
  const std::vector<double> s = model.score(userQuery(0));
  CHECK(s == std::vector<double>{3.0 / 4, 2, 1, 2.0 / 4, -std::numeric_limits<double>::infinity()});

  CHECK(errorOf([] { Covisitation({{"neighbors", 0.0}}); }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([] {
          Covisitation({{"pad_with_popularity", 1.0}});
        }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("covisitation's padded variant beside the notebook row", "[covisitation]") {
  // Padding only adds items after the notebook's list (or, where the notebook falls back to
  // popularity, gives the same items), so it can only add hits.
  const fixtures::Fixture f = fixtures::notebookDemo();
  Covisitation plain({});
  Covisitation padded({{"pad_with_popularity", true}});
  plain.fit(f.train);
  padded.fit(f.train);
  for (std::int32_t u = 0; u < 30; ++u) {
    const Recommendations a = plain.recommend(userQuery(u), topK(10));
    const Recommendations b = padded.recommend(userQuery(u), topK(10));
    CHECK(b.items.size() == 10);
    CHECK(std::equal(a.items.begin(), a.items.end(), b.items.begin()));
  }
  const Evaluation e = evaluate(padded, *f.test, {});
  CHECK(e.mean.recall >= 13.0 / 30);
}
