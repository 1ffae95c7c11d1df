#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "knn_graph.h"
#include "recwasm/error.h"
#include "recwasm/models/knn.h"
#include "recwasm/numpy_sum.h"
#include "recwasm/top_k.h"
#include "recwasm/training_run.h"

namespace recwasm {

using knn::RatingRow;
using knn::Settings;
using knn::Similarity;

// Scoring a user needs, for every candidate item i, the first k entries of i's neighbour list
// (strongest first) that the user rated. Two exact ways, chosen per user by estimated cost:
// - marking: every rated item j marks its own position in each list that contains it (an
//   inverted index of bit positions); a row's set bits, read in order, are then exactly its hits
//   in neighbour order. Cost: the rated items' list lengths, whatever k is.
// - scanning: walk each candidate's list, testing membership, stopping at k hits. Cost about
//   min(list length, k * items / rated items) per candidate: cheaper for heavy users.
// The bit positions are grouped in blocks of rows so the bitmap being marked stays in cache.
struct ItemKnn::State {
  knn::NeighborLists neighbors;              // per item, strongest first
  std::vector<double> means;                 // nanmean_safe(R[u]) per user
  std::vector<std::uint32_t> rowBit;         // items + 1: each list's first bit (multiple of 64)
  std::vector<std::uint32_t> incOffsets;     // items + 1
  std::vector<std::uint32_t> incBits;        // per item j: the bits of j in other lists, ascending
  std::vector<std::int32_t> blockRows;       // first item of each block, then numItems
  std::size_t blockWords = 0;                // the largest block, in 64-bit words
  std::vector<std::uint32_t> sortedLengths;  // list lengths ascending, for the cost estimate
  std::vector<std::uint64_t> lengthPrefix;   // their prefix sums
};

namespace knn {
int gForcedScoringPath = 0;
}

namespace {

constexpr const char* kKind = "item_knn";
constexpr std::uint32_t kStateFormat = 1;
constexpr std::uint32_t kBlockBits = 1u << 18;  // 32 KiB of bitmap per block

Similarity similarityOf(const Settings& s) {
  return s.implicit ? Similarity::kBinary : Similarity::kCosine;
}

std::shared_ptr<const ItemKnn::State> buildState(const Interactions& train,
                                                 const Settings& settings) {
  auto state = std::make_shared<ItemKnn::State>();
  const SparseRows& byUser = train.userItemRatings();
  const auto numItems = static_cast<std::size_t>(train.numItems());
  state->means.resize(static_cast<std::size_t>(train.numUsers()));
  for (std::int32_t u = 0; u < train.numUsers(); ++u) {
    state->means[static_cast<std::size_t>(u)] =
        notebookNanMean(byUser.indicesOf(u), byUser.valuesOf(u), numItems);
  }
  state->neighbors =
      knn::buildNeighborLists(train.itemUserRatings(), byUser, similarityOf(settings), settings);
  const knn::NeighborLists& lists = state->neighbors;

  state->rowBit.assign(numItems + 1, 0);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < numItems; ++i) {
    bits +=
        (lists.end(static_cast<std::int32_t>(i)) - lists.begin(static_cast<std::int32_t>(i)) + 63) /
        64 * 64;
    if (bits > std::numeric_limits<std::uint32_t>::max()) {
      fail(ErrorCode::kOutOfMemory,
           "item_knn similarity store exceeds 2^32 entries; set maxStoredNeighbors to bound it");
    }
    state->rowBit[i + 1] = static_cast<std::uint32_t>(bits);
  }
  state->incOffsets.assign(numItems + 1, 0);
  for (std::int32_t j : lists.ids) ++state->incOffsets[static_cast<std::size_t>(j) + 1];
  for (std::size_t j = 0; j < numItems; ++j) state->incOffsets[j + 1] += state->incOffsets[j];
  state->incBits.resize(lists.ids.size());
  std::vector<std::uint32_t> next(state->incOffsets.begin(), state->incOffsets.end() - 1);
  for (std::size_t i = 0; i < numItems; ++i) {
    std::size_t begin = lists.begin(static_cast<std::int32_t>(i));
    for (std::size_t g = begin; g < lists.end(static_cast<std::int32_t>(i)); ++g) {
      state->incBits[next[static_cast<std::size_t>(lists.ids[g])]++] =
          state->rowBit[i] + static_cast<std::uint32_t>(g - begin);
    }
  }
  state->blockRows.push_back(0);
  for (std::size_t i = 0; i < numItems; ++i) {
    std::uint32_t start = state->rowBit[static_cast<std::size_t>(state->blockRows.back())];
    if (state->rowBit[i + 1] - start > kBlockBits &&
        static_cast<std::int32_t>(i) > state->blockRows.back()) {
      state->blockRows.push_back(static_cast<std::int32_t>(i));
    }
  }
  state->blockRows.push_back(static_cast<std::int32_t>(numItems));
  for (std::size_t b = 0; b + 1 < state->blockRows.size(); ++b) {
    std::uint32_t span = state->rowBit[static_cast<std::size_t>(state->blockRows[b + 1])] -
                         state->rowBit[static_cast<std::size_t>(state->blockRows[b])];
    state->blockWords = std::max<std::size_t>(state->blockWords, span / 64);
  }
  state->sortedLengths.resize(numItems);
  for (std::size_t i = 0; i < numItems; ++i) {
    state->sortedLengths[i] = static_cast<std::uint32_t>(lists.end(static_cast<std::int32_t>(i)) -
                                                         lists.begin(static_cast<std::int32_t>(i)));
  }
  std::sort(state->sortedLengths.begin(), state->sortedLengths.end());
  state->lengthPrefix.assign(numItems + 1, 0);
  for (std::size_t i = 0; i < numItems; ++i) {
    state->lengthPrefix[i + 1] = state->lengthPrefix[i] + state->sortedLengths[i];
  }
  return state;
}

struct UserRow {
  RatingRow row;
  double mean = 0.0;
};

UserRow userRowOf(const UserContext& user, const Interactions& train, const ItemKnn::State& state) {
  UserRow out;
  if (user.foldedIn) {
    out.row = knn::ratingRowOf(user);
    out.mean =
        notebookNanMean(out.row.items, out.row.values, static_cast<std::size_t>(train.numItems()));
    return out;
  }
  const SparseRows& byUser = train.userItemRatings();
  Span<std::int32_t> items = byUser.indicesOf(user.user);
  Span<double> values = byUser.valuesOf(user.user);
  out.row.items.assign(items.begin(), items.end());
  out.row.values.assign(values.begin(), values.end());
  out.mean = state.means[static_cast<std::size_t>(user.user)];
  return out;
}

// Running prediction of one item: the notebook's num / den accumulated in neighbour order.
struct Accumulator {
  double num = 0.0;
  double den = 0.0;
  std::int32_t hits = 0;
};

}  // namespace

ItemKnn::ItemKnn(const OptionMap& options)
    : Recommender(kKind,
                  [&] {
                    Settings ignored;
                    return knn::readSettings(options, kKind, 50, ignored);
                  }()),
      settings_(std::make_unique<Settings>()) {
  knn::readSettings(this->options(), kKind, 50, *settings_);
}

ItemKnn::~ItemKnn() = default;

bool ItemKnn::predictsRatings() const { return !settings_->implicit; }

std::size_t ItemKnn::stateBytes() const {
  if (!state_) return 0;
  const State& s = *state_;
  return s.neighbors.bytes() + s.means.size() * sizeof(double) +
         (s.rowBit.size() + s.incOffsets.size() + s.incBits.size() + s.sortedLengths.size()) *
             sizeof(std::uint32_t) +
         s.lengthPrefix.size() * sizeof(std::uint64_t) + s.blockRows.size() * sizeof(std::int32_t);
}

std::unique_ptr<Recommender::TrainingRun> ItemKnn::startTraining(const Dataset& data) {
  knn::requireTrainable(data, kKind);
  return std::make_unique<OnePassRun<std::shared_ptr<const State>>>(
      buildState(*data.interactions, *settings_));
}

void ItemKnn::adopt(TrainingRun& run) {
  state_ = std::move(static_cast<OnePassRun<std::shared_ptr<const State>>&>(run).state());
}

void ItemKnn::scoreInto(const UserContext& user, double* scores) const {
  scoreUser(user, nullptr, scores);
}

void ItemKnn::rank(const UserContext& user, const CandidateFilter& filter, int k,
                   Recommendations& out) const {
  std::vector<double> scores(static_cast<std::size_t>(numItems()));
  scoreUser(user, &filter, scores.data());
  rankScores(scores, filter, k, out);
}

void ItemKnn::scoreUser(const UserContext& user, const CandidateFilter* filter,
                        double* scores) const {
  const Interactions& train = trainingData();
  const State& state = *state_;
  const knn::NeighborLists& lists = state.neighbors;
  const Settings& settings = *settings_;
  const std::int32_t numItems = train.numItems();
  const auto n = static_cast<std::size_t>(numItems);
  const std::int32_t k = settings.neighbors;
  const bool implicit = settings.implicit;
  UserRow user_ = userRowOf(user, train, state);
  const RatingRow& row = user_.row;
  const std::size_t d = row.items.size();

  std::vector<double> rating(n, 0.0);
  std::vector<std::uint8_t> rated(n, 0);
  for (std::size_t e = 0; e < d; ++e) {
    rating[static_cast<std::size_t>(row.items[e])] = row.values[e];
    rated[static_cast<std::size_t>(row.items[e])] = 1;
  }
  std::vector<std::uint8_t> wanted(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    bool candidate = implicit || !rated[i];
    if (filter != nullptr && !filter->allows(static_cast<std::int32_t>(i))) candidate = false;
    wanted[i] = candidate ? 1 : 0;
  }
  const double* sims = lists.sims.data();
  const std::int32_t* ids = lists.ids.data();
  auto finish = [&](std::size_t i, const Accumulator& acc) {
    if (implicit) {
      scores[i] = acc.num;
    } else {
      scores[i] = acc.hits > 0 && acc.den != 0 ? acc.num / acc.den : user_.mean;
    }
  };
  // One hit of item i: neighbour j at list position g.
  auto add = [&](Accumulator& acc, std::size_t g) {
    double s = sims[g];
    if (implicit) {
      acc.num += s;
    } else {
      acc.num += s * rating[static_cast<std::size_t>(ids[g])];
      acc.den += std::fabs(s);
    }
    return ++acc.hits == k;
  };

  // Estimated costs of the two exact methods (see State).
  std::uint64_t markCost = state.incBits.empty() ? 0 : state.rowBit[n] / 64;
  for (std::int32_t j : row.items) {
    markCost += state.incOffsets[static_cast<std::size_t>(j) + 1] -
                state.incOffsets[static_cast<std::size_t>(j)];
  }
  std::uint64_t reach = d == 0 ? std::numeric_limits<std::uint32_t>::max()
                               : static_cast<std::uint64_t>(k) * n / d + 1;
  auto shorter = static_cast<std::size_t>(
      std::upper_bound(state.sortedLengths.begin(), state.sortedLengths.end(), reach) -
      state.sortedLengths.begin());
  std::uint64_t scanCost = state.lengthPrefix[shorter] + reach * (n - shorter);
  bool scan = knn::gForcedScoringPath != 0 ? knn::gForcedScoringPath == 2 : scanCost < markCost;

  if (scan) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!wanted[i]) continue;
      Accumulator acc;
      std::size_t end = lists.end(static_cast<std::int32_t>(i));
      for (std::size_t g = lists.begin(static_cast<std::int32_t>(i)); g < end; ++g) {
        if (rated[static_cast<std::size_t>(ids[g])] && add(acc, g)) break;
      }
      finish(i, acc);
    }
  } else {
    std::vector<std::uint64_t> words(state.blockWords, 0);
    std::vector<std::uint32_t> cursor(d);
    for (std::size_t e = 0; e < d; ++e) {
      cursor[e] = state.incOffsets[static_cast<std::size_t>(row.items[e])];
    }
    const std::uint32_t* incBits = state.incBits.data();
    for (std::size_t b = 0; b + 1 < state.blockRows.size(); ++b) {
      auto firstRow = static_cast<std::size_t>(state.blockRows[b]);
      auto endRow = static_cast<std::size_t>(state.blockRows[b + 1]);
      const std::uint32_t base = state.rowBit[firstRow];
      const std::uint32_t limit = state.rowBit[endRow];
      for (std::size_t e = 0; e < d; ++e) {
        std::uint32_t c = cursor[e];
        const std::uint32_t stop = state.incOffsets[static_cast<std::size_t>(row.items[e]) + 1];
        for (; c < stop && incBits[c] < limit; ++c) {
          std::uint32_t bit = incBits[c] - base;
          words[bit >> 6] |= std::uint64_t{1} << (bit & 63);
        }
        cursor[e] = c;
      }
      for (std::size_t i = firstRow; i < endRow; ++i) {
        if (!wanted[i]) continue;
        Accumulator acc;
        const std::size_t firstWord = (state.rowBit[i] - base) >> 6;
        const std::size_t endWord = (state.rowBit[i + 1] - base) >> 6;
        const std::size_t g0 = lists.begin(static_cast<std::int32_t>(i));
        for (std::size_t w = firstWord; w < endWord; ++w) {
          std::uint64_t set = words[w];
          bool full = false;
          while (set != 0) {
            auto t = static_cast<std::size_t>(__builtin_ctzll(set));
            set &= set - 1;
            if (add(acc, g0 + (w - firstWord) * 64 + t)) {
              full = true;
              break;
            }
          }
          if (full) break;
        }
        finish(i, acc);
      }
      std::memset(words.data(), 0, ((limit - base) >> 6) * sizeof(std::uint64_t));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!wanted[i]) {
      scores[i] = filter != nullptr ? -std::numeric_limits<double>::infinity() : 0.0;
    }
  }
  if (!implicit) {
    for (std::size_t e = 0; e < d; ++e) {
      scores[static_cast<std::size_t>(row.items[e])] = row.values[e];
    }
  }
}

void ItemKnn::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  const knn::NeighborLists& lists = state_->neighbors;
  TopK top(static_cast<std::size_t>(k));
  for (std::size_t g = lists.begin(item); g < lists.end(item); ++g) {
    if (lists.sims[g] > 0) top.push(lists.sims[g], lists.ids[g]);
  }
  top.drainSorted(out.items, out.scores);
}

std::vector<Contribution> ItemKnn::explainItem(const UserContext& user, std::int32_t item,
                                               int topN) const {
  const Interactions& train = trainingData();
  const knn::NeighborLists& lists = state_->neighbors;
  const Settings& settings = *settings_;
  UserRow user_ = userRowOf(user, train, *state_);
  const RatingRow& row = user_.row;
  auto ratingOf = [&](std::int32_t j) -> const double* {
    auto it = std::lower_bound(row.items.begin(), row.items.end(), j);
    if (it == row.items.end() || *it != j) return nullptr;
    return &row.values[static_cast<std::size_t>(it - row.items.begin())];
  };
  if (!settings.implicit && ratingOf(item) != nullptr) return {};
  std::vector<Contribution> out;
  double den = 0.0;
  for (std::size_t g = lists.begin(item);
       g < lists.end(item) && static_cast<int>(out.size()) < settings.neighbors; ++g) {
    const double* r = ratingOf(lists.ids[g]);
    if (r == nullptr) continue;
    double s = lists.sims[g];
    out.push_back({lists.ids[g], settings.implicit ? s : s * *r});
    den += std::fabs(s);
  }
  if (!settings.implicit) {
    for (Contribution& c : out) c.weight /= den;
  }
  out.erase(
      std::remove_if(out.begin(), out.end(), [](const Contribution& c) { return !(c.weight > 0); }),
      out.end());
  std::sort(out.begin(), out.end(), [](const Contribution& p, const Contribution& q) {
    return p.weight > q.weight || (p.weight == q.weight && p.item < q.item);
  });
  if (out.size() > static_cast<std::size_t>(topN)) out.resize(static_cast<std::size_t>(topN));
  return out;
}

void ItemKnn::saveState(SnapshotWriter& out) const { out.pod<std::uint32_t>(kStateFormat); }

void ItemKnn::loadState(SnapshotReader& in) {
  if (in.pod<std::uint32_t>() != kStateFormat) SnapshotReader::corrupt("unknown item_knn state");
  const Interactions& train = trainingData();
  if (train.numRows() == 0) SnapshotReader::corrupt("item_knn snapshot without training rows");
  state_ = buildState(train, *settings_);
}

}  // namespace recwasm
