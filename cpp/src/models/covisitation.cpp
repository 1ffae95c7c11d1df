#include "recwasm/models/covisitation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "recwasm/cold.h"
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
  // count[a] starts at 1 so that `a` is never taken for its own partner (no branch per pair).
  CovisitationGraph graph;
  graph.offsets.reserve(items + 1);
  std::vector<std::int32_t> count(items, 0);
  std::vector<std::int32_t> touched(items);  // partners of `a` in first-counted order
  std::vector<std::int32_t> kept;
  std::vector<std::size_t> histogram;
  std::int32_t* counter = count.data();
  const std::int32_t* members = sessionItems.data();
  for (std::size_t a = 0; a < items; ++a) {
    std::int32_t* partners = touched.data();
    std::size_t found = 0;
    counter[a] = 1;
    for (std::size_t p = itemOffsets[a]; p < itemOffsets[a + 1]; ++p) {
      const std::size_t s = sessionsOfItem[p];
      const std::int32_t* end = members + sessionOffsets[s + 1];
      for (const std::int32_t* b = members + sessionOffsets[s]; b != end; ++b) {
        if (counter[*b]++ == 0) partners[found++] = *b;
      }
    }
    counter[a] = 0;

    // The kept partners: every count above the cutoff count, then as many at the cutoff as
    // fit, each group in first-counted order; a stable sort by count then gives the final
    // order. A histogram of the counts (at most one per session of `a`) finds the cutoff.
    const std::size_t sessionsOfA = itemOffsets[a + 1] - itemOffsets[a];
    histogram.assign(sessionsOfA + 1, 0);
    for (std::size_t i = 0; i < found; ++i)
      ++histogram[static_cast<std::size_t>(counter[partners[i]])];
    std::size_t cutoff = sessionsOfA, above = 0;
    while (cutoff > 0 && above + histogram[cutoff] < static_cast<std::size_t>(keep)) {
      above += histogram[cutoff--];
    }
    std::size_t atCutoff = static_cast<std::size_t>(keep) - above;  // slots left at the cutoff
    kept.clear();
    for (std::size_t i = 0; i < found; ++i) {
      const std::int32_t b = partners[i];
      const auto c = static_cast<std::size_t>(counter[b]);
      if (c > cutoff) {
        kept.push_back(b);
      } else if (c == cutoff && atCutoff > 0) {
        kept.push_back(b);
        --atCutoff;
      }
    }
    std::stable_sort(kept.begin(), kept.end(),
                     [&](std::int32_t x, std::int32_t y) { return counter[x] > counter[y]; });
    for (std::int32_t b : kept) {
      graph.neighbors.push_back(b);
      graph.counts.push_back(counter[b]);
    }
    graph.offsets.push_back(static_cast<std::int64_t>(graph.neighbors.size()));
    for (std::size_t i = 0; i < found; ++i) counter[partners[i]] = 0;
  }
  return graph;
}

Covisitation::Covisitation(const OptionMap& options)
    : Recommender("covisitation", readOptions(options, keep_, pad_)) {}

RECWASM_COLD std::unique_ptr<Recommender::TrainingRun> Covisitation::startTraining(
    const Dataset& data) {
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

RECWASM_COLD std::vector<Contribution> Covisitation::explainItem(const UserContext& user,
                                                                 std::int32_t item, int) const {
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

RECWASM_COLD void Covisitation::saveState(SnapshotWriter& out) const {
  out.vector(state_.graph.offsets);
  out.vector(state_.graph.neighbors);
  out.vector(state_.graph.counts);
  state_.popularity.save(out);
}

RECWASM_COLD void Covisitation::loadState(SnapshotReader& in) {
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
