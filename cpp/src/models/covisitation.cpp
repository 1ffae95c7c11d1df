#include "recwasm/models/covisitation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "recwasm/training_run.h"

namespace recwasm {

namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

OptionMap readOptions(const OptionMap& given, int& keep, bool& pad) {
  OptionReader reader(given, "covisitation");
  keep = reader.integer("neighbors", 50, 1, 1000000);
  pad = reader.flag("pad_with_popularity", false);
  reader.finish();
  return reader.resolved();
}

}  // namespace

CovisitationGraph buildCovisitation(std::int32_t numItems,
                                    const std::vector<std::vector<std::int32_t>>& sessions,
                                    int keep) {
  require(numItems >= 0, "numItems must not be negative");
  require(keep >= 1, "co-visitation keeps at least one neighbour per item");
  const auto items = static_cast<std::size_t>(numItems);

  // Each session's distinct items in first-seen order, as compressed rows.
  std::vector<std::size_t> sessionOffsets{0};
  std::vector<std::int32_t> sessionItems;
  std::vector<std::size_t> lastSession(items, std::numeric_limits<std::size_t>::max());
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    for (std::int32_t item : sessions[s]) {
      require(item >= 0 && item < numItems, "session " + std::to_string(s) + " holds item index " +
                                                std::to_string(item) +
                                                ", which is not in the catalogue");
      if (lastSession[static_cast<std::size_t>(item)] == s) continue;
      lastSession[static_cast<std::size_t>(item)] = s;
      sessionItems.push_back(item);
    }
    sessionOffsets.push_back(sessionItems.size());
  }

  // The sessions holding each item, in session order.
  std::vector<std::size_t> itemOffsets(items + 1, 0);
  for (std::int32_t item : sessionItems) ++itemOffsets[static_cast<std::size_t>(item) + 1];
  for (std::size_t i = 0; i < items; ++i) itemOffsets[i + 1] += itemOffsets[i];
  std::vector<std::size_t> sessionsOfItem(sessionItems.size());
  {
    std::vector<std::size_t> next(itemOffsets.begin(), itemOffsets.end() - 1);
    for (std::size_t s = 0; s + 1 < sessionOffsets.size(); ++s) {
      for (std::size_t e = sessionOffsets[s]; e < sessionOffsets[s + 1]; ++e) {
        sessionsOfItem[next[static_cast<std::size_t>(sessionItems[e])]++] = s;
      }
    }
  }

  // One item at a time: count its partners in a dense counter, remembering first-count order.
  CovisitationGraph graph;
  graph.offsets.reserve(items + 1);
  std::vector<std::int32_t> count(items, 0);
  std::vector<std::int32_t> touched;  // partners of `a` in the order they were first counted
  std::vector<std::uint32_t> order;
  for (std::size_t a = 0; a < items; ++a) {
    for (std::size_t p = itemOffsets[a]; p < itemOffsets[a + 1]; ++p) {
      const std::size_t s = sessionsOfItem[p];
      for (std::size_t e = sessionOffsets[s]; e < sessionOffsets[s + 1]; ++e) {
        const std::int32_t b = sessionItems[e];
        if (static_cast<std::size_t>(b) == a) continue;
        if (count[static_cast<std::size_t>(b)]++ == 0) touched.push_back(b);
      }
    }
    order.resize(touched.size());
    std::iota(order.begin(), order.end(), 0u);
    const std::size_t kept = std::min(touched.size(), static_cast<std::size_t>(keep));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(),
                      [&](std::uint32_t x, std::uint32_t y) {
                        const std::int32_t cx = count[static_cast<std::size_t>(touched[x])];
                        const std::int32_t cy = count[static_cast<std::size_t>(touched[y])];
                        return cx > cy || (cx == cy && x < y);
                      });
    for (std::size_t i = 0; i < kept; ++i) {
      const std::int32_t b = touched[order[i]];
      graph.neighbors.push_back(b);
      graph.counts.push_back(count[static_cast<std::size_t>(b)]);
    }
    graph.offsets.push_back(static_cast<std::int64_t>(graph.neighbors.size()));
    for (std::int32_t b : touched) count[static_cast<std::size_t>(b)] = 0;
    touched.clear();
  }
  return graph;
}

Covisitation::Covisitation(const OptionMap& options)
    : Recommender("covisitation", readOptions(options, keep_, pad_)) {}

std::unique_ptr<Recommender::TrainingRun> Covisitation::startTraining(const Dataset& data) {
  const Interactions& train = *data.interactions;
  require(data.sessions != nullptr,
          "covisitation needs sessions (the dataset has none: set sessions or derive them from "
          "timestamps first)");
  State state;
  state.graph = buildCovisitation(train.numItems(), *data.sessions, keep_);
  state.popularity = PopularityRanking(train);
  return std::make_unique<OnePassRun<State>>(std::move(state));
}

void Covisitation::adopt(TrainingRun& run) {
  state_ = std::move(static_cast<OnePassRun<State>&>(run).state());
  const std::vector<double>& counts = state_.popularity.counts();
  largestCount_ = counts.empty() ? 0.0 : *std::max_element(counts.begin(), counts.end());
}

double Covisitation::paddingScore(std::int32_t item) const {
  return state_.popularity.counts()[static_cast<std::size_t>(item)] / (1.0 + largestCount_);
}

void Covisitation::rank(const UserContext& user, const CandidateFilter& filter, int k,
                        Recommendations& out) const {
  const CovisitationGraph& g = state_.graph;
  if (!user.items.empty()) {
    const auto a = static_cast<std::size_t>(user.items.back());
    for (std::int64_t e = g.offsets[a]; e < g.offsets[a + 1]; ++e) {
      if (static_cast<int>(out.items.size()) >= k) break;
      const std::int32_t b = g.neighbors[static_cast<std::size_t>(e)];
      if (!filter.allows(b)) continue;
      out.items.push_back(b);
      out.scores.push_back(g.counts[static_cast<std::size_t>(e)]);
    }
  }
  if (!pad_) {
    if (out.items.empty()) state_.popularity.recommend(filter, k, out);
    return;
  }
  std::vector<std::uint8_t> taken(static_cast<std::size_t>(numItems()), 0);
  for (std::int32_t item : out.items) taken[static_cast<std::size_t>(item)] = 1;
  for (std::int32_t item : state_.popularity.rankedItems()) {
    if (static_cast<int>(out.items.size()) >= k) break;
    if (taken[static_cast<std::size_t>(item)] || !filter.allows(item)) continue;
    out.items.push_back(item);
    out.scores.push_back(paddingScore(item));
  }
}

void Covisitation::scoreInto(const UserContext& user, double* scores) const {
  const CovisitationGraph& g = state_.graph;
  std::fill(scores, scores + numItems(), kNegativeInfinity);
  bool anyNeighbor = false;
  if (!user.items.empty()) {
    const auto a = static_cast<std::size_t>(user.items.back());
    for (std::int64_t e = g.offsets[a]; e < g.offsets[a + 1]; ++e) {
      scores[g.neighbors[static_cast<std::size_t>(e)]] = g.counts[static_cast<std::size_t>(e)];
      anyNeighbor = true;
    }
  }
  if (pad_) {
    for (std::int32_t item : state_.popularity.rankedItems()) {
      if (scores[item] == kNegativeInfinity) scores[item] = paddingScore(item);
    }
  } else if (!anyNeighbor) {
    for (std::int32_t item : state_.popularity.rankedItems()) {
      scores[item] = state_.popularity.counts()[static_cast<std::size_t>(item)];
    }
  }
}

void Covisitation::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  const CovisitationGraph& g = state_.graph;
  const auto a = static_cast<std::size_t>(item);
  for (std::int64_t e = g.offsets[a]; e < g.offsets[a + 1]; ++e) {
    if (static_cast<int>(out.items.size()) >= k) break;
    out.items.push_back(g.neighbors[static_cast<std::size_t>(e)]);
    out.scores.push_back(g.counts[static_cast<std::size_t>(e)]);
  }
}

std::vector<Contribution> Covisitation::explainItem(const UserContext& user, std::int32_t item,
                                                    int) const {
  if (user.items.empty()) return {};
  const CovisitationGraph& g = state_.graph;
  const std::int32_t last = user.items.back();
  const auto a = static_cast<std::size_t>(last);
  for (std::int64_t e = g.offsets[a]; e < g.offsets[a + 1]; ++e) {
    if (g.neighbors[static_cast<std::size_t>(e)] == item) {
      return {{last, static_cast<double>(g.counts[static_cast<std::size_t>(e)])}};
    }
  }
  return {};
}

void Covisitation::saveState(SnapshotWriter& out) const {
  out.vector(state_.graph.offsets);
  out.vector(state_.graph.neighbors);
  out.vector(state_.graph.counts);
  state_.popularity.save(out);
}

void Covisitation::loadState(SnapshotReader& in) {
  State state;
  CovisitationGraph& g = state.graph;
  g.offsets = in.vector<std::int64_t>();
  g.neighbors = in.vector<std::int32_t>();
  g.counts = in.vector<std::int32_t>();
  const auto items = static_cast<std::size_t>(numItems());
  if (g.offsets.size() != items + 1 || g.offsets[0] != 0 ||
      g.offsets.back() != static_cast<std::int64_t>(g.neighbors.size()) ||
      g.neighbors.size() != g.counts.size()) {
    SnapshotReader::corrupt("co-visitation graph does not match the catalogue");
  }
  for (std::size_t a = 0; a < items; ++a) {
    if (g.offsets[a + 1] < g.offsets[a]) SnapshotReader::corrupt("bad co-visitation offsets");
  }
  std::vector<std::size_t> seenIn(items, items);  // the row that last listed each neighbour
  for (std::size_t a = 0; a < items; ++a) {
    for (std::int64_t e = g.offsets[a]; e < g.offsets[a + 1]; ++e) {
      const std::int32_t b = g.neighbors[static_cast<std::size_t>(e)];
      const std::int32_t c = g.counts[static_cast<std::size_t>(e)];
      if (b < 0 || static_cast<std::size_t>(b) >= items || static_cast<std::size_t>(b) == a ||
          seenIn[static_cast<std::size_t>(b)] == a) {
        SnapshotReader::corrupt("bad co-visitation neighbour");
      }
      seenIn[static_cast<std::size_t>(b)] = a;
      if (c < 1 || (e > g.offsets[a] && c > g.counts[static_cast<std::size_t>(e) - 1])) {
        SnapshotReader::corrupt("bad co-visitation count");
      }
    }
  }
  state.popularity.load(in, numItems());
  for (double c : state.popularity.counts()) {
    if (!std::isfinite(c)) SnapshotReader::corrupt("bad popularity count");
  }
  state_ = std::move(state);
  const std::vector<double>& counts = state_.popularity.counts();
  largestCount_ = counts.empty() ? 0.0 : *std::max_element(counts.begin(), counts.end());
}

}  // namespace recwasm
