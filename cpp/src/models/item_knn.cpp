#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "knn_graph.h"
#include "recwasm/cold.h"
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
// (strongest first) that the user rated, in that order. The lists are stored inverted: item j
// keeps, for each list i that contains it, j's bit in the lists' concatenated positions and
// s(i, j). Scoring marks the positions of the user's rated items (with s and the rating) in a
// bitmap, block of lists by block of lists so the marks stay in cache; the set bits of a list,
// read in order, are then exactly its hits in neighbour order, and reading stops at the k-th.
// The cost is the rated items' list lengths (sequential reads) plus the hits used.
struct ItemKnn::State {
  std::vector<double> means;            // nanmean_safe(R[u]) per user
  std::vector<std::uint32_t> rowBit;    // items + 1: each list's first bit (multiple of 64)
  std::vector<std::int32_t> blockRows;  // first list of each block, then numItems
  std::size_t blockBits = 0;            // the largest block
  // Inverted lists: item j's entries, one per list i that contains j (i ascending), are
  // [incOffsets[j * blocks()], incOffsets[(j + 1) * blocks()]): j's bit in list i and s(i, j);
  // incOffsets[j * blocks() + b] is the first of them in block b.
  std::vector<std::uint32_t> incOffsets;
  std::vector<std::uint32_t> incBits;
  std::vector<double> incSims;
  knn::NeighborLists bounded;  // with maxStoredNeighbors: the stored lists (exact: rebuilt)

  std::size_t blocks() const { return blockRows.size() - 1; }
};

namespace {

constexpr const char* kKind = "item_knn";
constexpr std::uint32_t kStateFormat = 1;
constexpr std::uint32_t kBlockBits = 1u << 18;  // lists per block: bitmap 32 KiB, marks 4 MiB

Similarity similarityOf(const Settings& s) {
  return s.implicit ? Similarity::kBinary : Similarity::kCosine;
}

[[noreturn]] void tooLarge() {
  fail(ErrorCode::kOutOfMemory,
       "item_knn similarity store exceeds 2^32 entries; set maxStoredNeighbors to bound it");
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
  const bool exact = settings.maxStoredNeighbors == 0;
  knn::NeighborLists lists =
      knn::buildNeighborLists(train.itemUserRatings(), byUser, similarityOf(settings), settings,
                              /*sortRows=*/false);

  // Bit layout: lists in item order, each padded to whole words, grouped into blocks.
  state->rowBit.assign(numItems + 1, 0);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < numItems; ++i) {
    bits +=
        (lists.end(static_cast<std::int32_t>(i)) - lists.begin(static_cast<std::int32_t>(i)) + 63) /
        64 * 64;
    if (bits > std::numeric_limits<std::uint32_t>::max()) tooLarge();
    state->rowBit[i + 1] = static_cast<std::uint32_t>(bits);
  }
  std::vector<std::size_t> blockOf(numItems);
  state->blockRows.assign(1, 0);
  for (std::size_t i = 0; i < numItems; ++i) {
    std::uint32_t start = state->rowBit[static_cast<std::size_t>(state->blockRows.back())];
    if (state->rowBit[i + 1] - start > kBlockBits &&
        static_cast<std::int32_t>(i) > state->blockRows.back()) {
      state->blockRows.push_back(static_cast<std::int32_t>(i));
    }
    blockOf[i] = state->blockRows.size() - 1;
  }
  state->blockRows.push_back(static_cast<std::int32_t>(numItems));
  for (std::size_t b = 0; b < state->blocks(); ++b) {
    state->blockBits = std::max<std::size_t>(
        state->blockBits, state->rowBit[static_cast<std::size_t>(state->blockRows[b + 1])] -
                              state->rowBit[static_cast<std::size_t>(state->blockRows[b])]);
  }

  const std::size_t blocks = state->blocks();
  const std::size_t cells = blocks * numItems;
  if (cells >= std::numeric_limits<std::uint32_t>::max()) tooLarge();
  std::vector<std::uint32_t> order;
  if (exact) {
    // Exact lists are symmetric and come with partners ascending, so list j already holds j's
    // inverted entries in order, with their similarities: only the bits are new. Entry (x -> j)
    // of list x has j's rank in x's neighbour order, and its mirror (j -> x) is the next unfilled
    // entry of list j, since lists x are visited in ascending order.
    state->incBits.resize(lists.ids.size());
    std::vector<std::uint32_t> mirror(lists.offsets.begin(), lists.offsets.end() - 1);
    for (std::size_t x = 0; x < numItems; ++x) {
      std::size_t begin = lists.begin(static_cast<std::int32_t>(x));
      knn::strengthOrder(lists, begin, lists.end(static_cast<std::int32_t>(x)), order);
      for (std::size_t p = 0; p < order.size(); ++p) {
        auto j = static_cast<std::size_t>(lists.ids[begin + order[p]]);
        state->incBits[mirror[j]++] = state->rowBit[x] + static_cast<std::uint32_t>(p);
      }
    }
    state->incOffsets.assign(cells + 1, 0);
    for (std::size_t j = 0; j < numItems; ++j) {
      std::size_t g = lists.begin(static_cast<std::int32_t>(j));
      for (std::size_t b = 0; b < blocks; ++b) {
        while (g < lists.end(static_cast<std::int32_t>(j)) &&
               blockOf[static_cast<std::size_t>(lists.ids[g])] < b) {
          ++g;
        }
        state->incOffsets[j * blocks + b] = static_cast<std::uint32_t>(g);
      }
    }
    state->incOffsets[cells] = static_cast<std::uint32_t>(lists.ids.size());
    state->incSims = std::move(lists.sims);
    return state;
  }
  // Bounded lists (neighbour order) are not symmetric: invert them by counting.
  std::vector<std::uint32_t> count(cells, 0);
  for (std::size_t x = 0; x < numItems; ++x) {
    for (std::size_t g = lists.begin(static_cast<std::int32_t>(x));
         g < lists.end(static_cast<std::int32_t>(x)); ++g) {
      ++count[static_cast<std::size_t>(lists.ids[g]) * blocks + blockOf[x]];
    }
  }
  state->incOffsets.assign(cells + 1, 0);
  for (std::size_t c = 0; c < cells; ++c)
    state->incOffsets[c + 1] = state->incOffsets[c] + count[c];
  state->incBits.resize(lists.ids.size());
  state->incSims.resize(lists.ids.size());
  std::vector<std::uint32_t> next(state->incOffsets.begin(), state->incOffsets.end() - 1);
  for (std::size_t x = 0; x < numItems; ++x) {
    std::size_t begin = lists.begin(static_cast<std::int32_t>(x));
    for (std::size_t g = begin; g < lists.end(static_cast<std::int32_t>(x)); ++g) {
      std::uint32_t slot = next[static_cast<std::size_t>(lists.ids[g]) * blocks + blockOf[x]]++;
      state->incBits[slot] = state->rowBit[x] + static_cast<std::uint32_t>(g - begin);
      state->incSims[slot] = lists.sims[g];
    }
  }
  state->bounded = std::move(lists);
  return state;
}

// Item i's neighbour list in neighbour order.
void neighborListOf(const ItemKnn::State& state, std::int32_t item, std::vector<std::int32_t>& ids,
                    std::vector<double>& sims) {
  ids.clear();
  sims.clear();
  if (state.bounded.rows() > 0) {
    for (std::size_t g = state.bounded.begin(item); g < state.bounded.end(item); ++g) {
      ids.push_back(state.bounded.ids[g]);
      sims.push_back(state.bounded.sims[g]);
    }
    return;
  }
  // The lists containing the item are exactly its neighbours, with the same similarities.
  knn::NeighborLists row;
  const std::size_t first = static_cast<std::size_t>(item) * state.blocks();
  for (std::uint32_t c = state.incOffsets[first]; c < state.incOffsets[first + state.blocks()];
       ++c) {
    auto owner = std::upper_bound(state.rowBit.begin(), state.rowBit.end(), state.incBits[c]) -
                 state.rowBit.begin() - 1;
    row.ids.push_back(static_cast<std::int32_t>(owner));
    row.sims.push_back(state.incSims[c]);
  }
  std::vector<std::uint32_t> order;
  knn::strengthOrder(row, 0, row.ids.size(), order);
  for (std::uint32_t k : order) {
    ids.push_back(row.ids[k]);
    sims.push_back(row.sims[k]);
  }
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
  return s.bounded.bytes() + (s.means.size() + s.incSims.size()) * sizeof(double) +
         (s.rowBit.size() + s.incOffsets.size() + s.incBits.size()) * sizeof(std::uint32_t) +
         s.blockRows.size() * sizeof(std::int32_t);
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
  const Settings& settings = *settings_;
  const auto n = static_cast<std::size_t>(train.numItems());
  const std::int32_t k = settings.neighbors;
  const bool implicit = settings.implicit;
  const UserRow user_ = userRowOf(user, train, state);
  const RatingRow& row = user_.row;
  const std::size_t d = row.items.size();

  std::vector<std::uint8_t> wanted(n, 1);
  if (!implicit) {
    for (std::int32_t j : row.items) wanted[static_cast<std::size_t>(j)] = 0;
  }
  if (filter != nullptr) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!filter->allows(static_cast<std::int32_t>(i))) wanted[i] = 0;
    }
  }

  // Scratch kept between calls: the marks need no clearing (only set bits are read) and the
  // bitmap is cleared block by block after use.
  thread_local std::vector<std::uint64_t> words;
  // One mark per set bit: s and the rating it weighs, side by side so that a mark costs one
  // cache line.
  struct Mark {
    double sim;
    double rating;
  };
  thread_local std::vector<Mark> marks;
  words.assign((state.blockBits + 63) / 64, 0);
  if (marks.size() < state.blockBits) marks.resize(state.blockBits);
  Mark* mark = marks.data();
  const std::uint32_t* incBits = state.incBits.data();
  const double* incSims = state.incSims.data();
  for (std::size_t b = 0; b < state.blocks(); ++b) {
    const auto firstRow = static_cast<std::size_t>(state.blockRows[b]);
    const auto endRow = static_cast<std::size_t>(state.blockRows[b + 1]);
    const std::uint32_t base = state.rowBit[firstRow];
    const std::uint32_t limit = state.rowBit[endRow];
    const std::uint32_t* offsets = state.incOffsets.data() + b;
    const std::size_t blocks = state.blocks();
    for (std::size_t e = 0; e < d; ++e) {
      const auto j = static_cast<std::size_t>(row.items[e]);
      const double rating = row.values[e];
      for (std::uint32_t c = offsets[j * blocks]; c < offsets[j * blocks + 1]; ++c) {
        const std::uint32_t bit = incBits[c] - base;
        words[bit >> 6] |= std::uint64_t{1} << (bit & 63);
        mark[bit] = {incSims[c], rating};
      }
    }
    for (std::size_t i = firstRow; i < endRow; ++i) {
      if (!wanted[i]) continue;
      // The notebook's num / den over the first k hits, in neighbour order.
      double num = 0.0;
      double den = 0.0;
      std::int32_t hits = 0;
      const std::size_t firstWord = (state.rowBit[i] - base) >> 6;
      const std::size_t endWord = (state.rowBit[i + 1] - base) >> 6;
      for (std::size_t w = firstWord; w < endWord && hits < k; ++w) {
        std::uint64_t set = words[w];
        while (set != 0) {
          const std::size_t bit = w * 64 + static_cast<std::size_t>(__builtin_ctzll(set));
          set &= set - 1;
          const double s = mark[bit].sim;
          if (implicit) {
            num += s;
          } else {
            num += s * mark[bit].rating;
            den += std::fabs(s);
          }
          if (++hits == k) break;
        }
      }
      if (implicit) {
        scores[i] = num;
      } else {
        scores[i] = hits > 0 && den != 0 ? num / den : user_.mean;
      }
    }
    // An empty block leaves `words` empty, and memset's pointer must never be null (even for 0).
    if (limit > base)
      std::memset(words.data(), 0, ((limit - base + 63) >> 6) * sizeof(std::uint64_t));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!wanted[i]) scores[i] = -std::numeric_limits<double>::infinity();
  }
  if (!implicit) {
    for (std::size_t e = 0; e < d; ++e) {
      scores[static_cast<std::size_t>(row.items[e])] = row.values[e];
    }
  }
}

void ItemKnn::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  std::vector<std::int32_t> ids;
  std::vector<double> sims;
  neighborListOf(*state_, item, ids, sims);
  TopK top(static_cast<std::size_t>(k));
  for (std::size_t g = 0; g < ids.size(); ++g) {
    if (sims[g] > 0) top.push(sims[g], ids[g]);
  }
  top.drainSorted(out.items, out.scores);
}

RECWASM_COLD std::vector<Contribution> ItemKnn::explainItem(const UserContext& user,
                                                            std::int32_t item, int topN) const {
  const Settings& settings = *settings_;
  const UserRow user_ = userRowOf(user, trainingData(), *state_);
  const RatingRow& row = user_.row;
  auto ratingOf = [&](std::int32_t j) -> const double* {
    auto it = std::lower_bound(row.items.begin(), row.items.end(), j);
    if (it == row.items.end() || *it != j) return nullptr;
    return &row.values[static_cast<std::size_t>(it - row.items.begin())];
  };
  if (!settings.implicit && ratingOf(item) != nullptr) return {};
  std::vector<std::int32_t> ids;
  std::vector<double> sims;
  neighborListOf(*state_, item, ids, sims);
  std::vector<Contribution> out;
  double den = 0.0;
  for (std::size_t g = 0; g < ids.size() && static_cast<int>(out.size()) < settings.neighbors;
       ++g) {
    const double* r = ratingOf(ids[g]);
    if (r == nullptr) continue;
    out.push_back({ids[g], settings.implicit ? sims[g] : sims[g] * *r});
    den += std::fabs(sims[g]);
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

RECWASM_COLD void ItemKnn::saveState(SnapshotWriter& out) const {
  out.pod<std::uint32_t>(kStateFormat);
}

RECWASM_COLD void ItemKnn::loadState(SnapshotReader& in) {
  if (in.pod<std::uint32_t>() != kStateFormat) SnapshotReader::corrupt("unknown item_knn state");
  const Interactions& train = trainingData();
  if (train.numRows() == 0) SnapshotReader::corrupt("item_knn snapshot without training rows");
  state_ = buildState(train, *settings_);
}

}  // namespace recwasm
