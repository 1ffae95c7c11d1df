#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

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

// A prediction sums, in neighbour order (|s| descending, ties to the lower id), the first k
// entries of the candidate's list that the user rated: the notebook's loop, and the only way to
// get its sums bit for bit. Walking a list until k hits ("pull") is cheap when the user rated
// much of the catalogue, but reads whole lists for everyone else. Those users are scored the
// other way round ("push"): each rated item j adds s(i, j) * r to every list i containing it,
// in whatever order the lists come, which gives the exact set of hits wherever there are at most
// k of them, and sums that differ from the notebook's only by rounding. Ranking needs exact
// values only near the top: candidates whose pushed score, widened by a bound on the rounding,
// cannot reach the k-th best lower bound are dropped, and the rest are pulled exactly.
struct ItemKnn::State {
  std::vector<double> means;   // nanmean_safe(R[u]) per user
  knn::NeighborLists lists;    // each item's neighbours in neighbour order
  knn::NeighborLists inverse;  // bounded lists only: for item j, the lists i containing it
  // Per list, the first and the last |s| (kept apart from the lists: bounds read them for every
  // candidate, and a read into the lists costs a cache miss each).
  std::vector<double> strongest;
  std::vector<double> weakest;
  // Per list, weakest / ((k - 1) * strongest + weakest): the least share a single hit can have
  // among the first k (see UserScorer::rankByBestLevel).
  std::vector<double> leastShare;
  double smallestShare = std::numeric_limits<double>::infinity();  // of the non-empty lists
  bool nonNegative = true;  // every similarity >= 0 (set by cutBands): a list's later weights are
                            // at most its current one, which bounds a partly pulled prediction
  // Row j: the lists containing j as a bitset over the items (listWords words a row), built when
  // that costs at most an eighth of the lists (explicit ratings, similarities >= 0): a user's
  // rated items at one level then mark every list they appear in with a few word operations
  // (see UserScorer::rankByBestLevel).
  std::vector<std::uint64_t> listBits;
  std::size_t listWords = 0;
  // Each list in bands by position (see kBandEnds): per list, its cuts (band b holds the
  // entries with |s| at most cut b - 1 and above cut b), and per entry of containing() the push's
  // slot for it: i * bands + the band of j in list i (entry i of row j), so that a push adds to
  // a candidate's band sums after one read (ids and bands read apart cost 7% more of
  // recommend-all in wasm). 16 bits where every slot fits (catalogues up to 65,536 / bands
  // items), else 32.
  std::vector<double> bandCuts;
  std::vector<std::uint16_t> narrowSlots;
  std::vector<std::uint32_t> wideSlots;
  std::size_t bands = 1;  // bands in use: 1 + the cuts that fall inside some list
  // Exact lists are symmetric (j in list i <=> i in list j, same s): their own inverse.
  const knn::NeighborLists& containing() const { return inverse.rows() > 0 ? inverse : lists; }
};

namespace {

constexpr const char* kKind = "item_knn";
constexpr std::uint32_t kStateFormat = 1;
// Where a list's bands end, in entries per neighbour (k = 50: 128, 256, 512, 1024 and 2048). A
// candidate's first k hits are the hits of its bands before the one holding the k-th, known whole
// from a push, and some of that band's: this bounds its prediction far better than the list's
// counts alone (similarities of co-rated items stay close to 1 for hundreds of entries, so weights
// hardly narrow it). On MovieLens, pulls that bounds stop early mostly stop within a thousand
// entries; bands doubling in length up to there cut the entries pulled by 13% against two bands
// (128 and 1024), for a push into 5 sums per candidate instead of 3. The band up to 2048 spares
// light raters most pulls of long lists (their k-th hit lies deep): of recommend-all's pulls for
// pushed users in wasm, 63 -> 18 ms, for a push 30 ms dearer (6 sums per candidate).
constexpr double kBandEnds[] = {2.56, 5.12, 10.24, 20.48, 40.96};
constexpr std::size_t kBandCuts = sizeof(kBandEnds) / sizeof(kBandEnds[0]);
// Cuts stored per list: an even number, as the wasm build compares them in pairs. A padding cut
// stays 0, which no similarity in a list is at most.
constexpr std::size_t kCutStride = (kBandCuts + 1) / 2 * 2;

Similarity similarityOf(const Settings& s) {
  return s.implicit ? Similarity::kBinary : Similarity::kCosine;
}

// Bounded lists are not symmetric: invert them by counting.
void invertLists(ItemKnn::State& state, std::size_t numItems) {
  const knn::NeighborLists& lists = state.lists;
  knn::NeighborLists& inverse = state.inverse;
  inverse.offsets.assign(numItems + 1, 0);
  for (std::int32_t j : lists.ids) ++inverse.offsets[static_cast<std::size_t>(j) + 1];
  for (std::size_t j = 0; j < numItems; ++j) inverse.offsets[j + 1] += inverse.offsets[j];
  inverse.ids.resize(lists.ids.size());
  inverse.sims.resize(lists.ids.size());
  std::vector<std::uint32_t> next(inverse.offsets.begin(), inverse.offsets.end() - 1);
  for (std::int32_t i = 0; i < lists.rows(); ++i) {
    for (std::size_t g = lists.begin(i); g < lists.end(i); ++g) {
      const std::uint32_t slot = next[static_cast<std::size_t>(lists.ids[g])]++;
      inverse.ids[slot] = i;
      inverse.sims[slot] = lists.sims[g];
    }
  }
}

// Cuts every list into bands at about kBandEnds[b] * neighbors entries (the |s| there: any value
// splits a list in neighbour order into the entries above it and the rest), and gives every
// entry of containing() its push slot (see State). Sets nonNegative on the way: the pass reads
// every similarity (a pass of its own cost 5% of item_knn's fit on MovieLens).
void cutBands(ItemKnn::State& state, int neighbors) {
  const knn::NeighborLists& lists = state.lists;
  const auto n = static_cast<std::size_t>(lists.rows());
  std::size_t ends[kBandCuts];
  for (std::size_t b = 0; b < kBandCuts; ++b) {
    ends[b] = static_cast<std::size_t>(std::ceil(kBandEnds[b] * neighbors));
  }
  state.bandCuts.assign(n * kCutStride, 0.0);  // 0: the list ends first (every |s| is above)
  state.bands = 1;
  for (std::int32_t i = 0; i < lists.rows(); ++i) {
    for (std::size_t b = 0; b < kBandCuts; ++b) {
      if (ends[b] < lists.end(i) - lists.begin(i)) {
        state.bandCuts[static_cast<std::size_t>(i) * kCutStride + b] =
            std::fabs(lists.sims[lists.begin(i) + ends[b]]);
        state.bands = std::max(state.bands, b + 2);
      }
    }
  }
  const knn::NeighborLists& containing = state.containing();
  const bool narrow = n * state.bands <= std::size_t{1} << 16;
  if (narrow) {
    state.narrowSlots.resize(containing.ids.size());
  } else {
    state.wideSlots.resize(containing.ids.size());
  }
  const auto bands = static_cast<std::uint32_t>(state.bands);
  bool anyNegative = false;
  for (std::size_t g = 0; g < containing.ids.size(); ++g) {
    const double* cuts =
        state.bandCuts.data() + static_cast<std::size_t>(containing.ids[g]) * kCutStride;
    anyNegative |= !(containing.sims[g] >= 0);
    const double weight = std::fabs(containing.sims[g]);
#ifdef __wasm_simd128__
    // The cuts a pair at a time (a third of cutBands' time in wasm): each comparison true is -1.
    static_assert(kCutStride % 2 == 0, "cuts compared in pairs");
    const v128_t splat = wasm_f64x2_splat(weight);
    v128_t below = wasm_i64x2_splat(0);
    for (std::size_t b = 0; b < kCutStride; b += 2) {
      below = wasm_i64x2_sub(below, wasm_f64x2_le(splat, wasm_v128_load(cuts + b)));
    }
    const auto band = static_cast<std::uint32_t>(wasm_i64x2_extract_lane(below, 0) +
                                                 wasm_i64x2_extract_lane(below, 1));
#else
    std::uint32_t band = 0;
    for (std::size_t b = 0; b < kBandCuts; ++b) band += weight <= cuts[b] ? 1 : 0;
#endif
    const std::uint32_t slot = static_cast<std::uint32_t>(containing.ids[g]) * bands + band;
    if (narrow) {
      state.narrowSlots[g] = static_cast<std::uint16_t>(slot);
    } else {
      state.wideSlots[g] = slot;
    }
  }
  state.nonNegative = !anyNegative;
}

// The bitsets of the lists containing each item j (row j: bit i when list i holds j), when they
// cost at most an eighth of the lists (see State::listBits).
void markContainingLists(ItemKnn::State& state, const Settings& settings, std::size_t numItems) {
  const std::size_t words = (numItems + 63) / 64;
  if (settings.implicit || !state.nonNegative ||
      std::uint64_t{numItems} * words * sizeof(std::uint64_t) > state.lists.bytes() / 8) {
    return;
  }
  const knn::NeighborLists& containing = state.containing();
  state.listBits.assign(numItems * words, 0);
  state.listWords = words;
  for (std::int32_t j = 0; j < containing.rows(); ++j) {
    std::uint64_t* bits = state.listBits.data() + static_cast<std::size_t>(j) * words;
    for (std::size_t g = containing.begin(j); g < containing.end(j); ++g) {
      const auto i = static_cast<std::uint32_t>(containing.ids[g]);
      bits[i >> 6] |= std::uint64_t{1} << (i & 63);
    }
  }
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
  state->lists = knn::buildNeighborLists(train.itemUserRatings(), byUser, similarityOf(settings),
                                         settings, /*sortRows=*/true);
  state->strongest.assign(numItems, 0.0);
  state->weakest.assign(numItems, 0.0);
  state->leastShare.assign(numItems, 0.0);
  for (std::int32_t i = 0; i < state->lists.rows(); ++i) {
    if (state->lists.begin(i) == state->lists.end(i)) continue;
    state->strongest[static_cast<std::size_t>(i)] =
        std::fabs(state->lists.sims[state->lists.begin(i)]);
    state->weakest[static_cast<std::size_t>(i)] =
        std::fabs(state->lists.sims[state->lists.end(i) - 1]);
    const double weakest = state->weakest[static_cast<std::size_t>(i)];
    state->leastShare[static_cast<std::size_t>(i)] =
        weakest /
        ((settings.neighbors - 1) * state->strongest[static_cast<std::size_t>(i)] + weakest);
    state->smallestShare =
        std::min(state->smallestShare, state->leastShare[static_cast<std::size_t>(i)]);
  }
  if (settings.maxStoredNeighbors > 0) invertLists(*state, numItems);
  cutBands(*state, settings.neighbors);
  markContainingLists(*state, settings, numItems);
  return state;
}

struct UserRow {
  RatingRow row;
  double mean = 0.0;
};

RECWASM_COLD UserRow userRowOf(const UserContext& user, const Interactions& train,
                               const ItemKnn::State& state) {
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

// Which of the list entries [chunk, min(chunk + 16, end)) the user rated, as bits (isRated: a
// byte per item), so that the branch taken per entry (rated or not, unpredictable) becomes one
// per rated entry. A full chunk in a constant-length loop, which wasm unrolls.
std::uint32_t ratedMask(const std::int32_t* ids, const std::uint8_t* isRated, std::size_t chunk,
                        std::size_t end) {
  std::uint32_t mask = 0;
  if (end - chunk >= 16) {
    const std::int32_t* chunkIds = ids + chunk;
    for (unsigned e = 0; e < 16; ++e) mask |= std::uint32_t{isRated[chunkIds[e]]} << e;
  } else {
    for (std::size_t g = chunk; g < end; ++g) {
      mask |= std::uint32_t{isRated[ids[g]]} << (g - chunk);
    }
  }
  return mask;
}

// Scores one user. Holds the rated items as bytes and a dense rating table (for pulls) and, after
// push(), sums per candidate and band of its list; the tables are kept between calls
// (thread_local) and cleared when the scorer goes, also when a call fails (an allocation inside
// may throw).
//
// Bounds (similarities >= 0 only): a prediction is a weighted mean of the ratings of its hits, so
// it can be bounded from what is known of them. The user's ratings are seen as levels: the best,
// the second best, and everything else at most the third best; the push counts each candidate's
// hits at the first two levels.
class UserScorer {
 public:
  // A push's sums for one band of one candidate. The counts are packed, so that a push adds them
  // in one step (a third less time in wasm): hits, hits rated at the best level and hits rated at
  // the second, kCountBits bits each. A candidate has at most as many hits as the user has rated
  // items: users with more than kMaxCount are not pushed (canPush).
  struct Sums {
    static constexpr unsigned kCountBits = 21;
    static constexpr std::size_t kMaxCount = (std::size_t{1} << kCountBits) - 1;
    double num = 0.0;
    double den = 0.0;  // right after num: a push adds both in one vector operation
    std::uint64_t counts = 0;

    static std::uint64_t count(bool top, bool second) {
      return 1 + (std::uint64_t{top} << kCountBits) + (std::uint64_t{second} << (2 * kCountBits));
    }
    std::int32_t hits() const { return field(0); }
    std::int32_t top() const { return field(1); }
    std::int32_t second() const { return field(2); }
    std::int32_t field(unsigned index) const {
      return static_cast<std::int32_t>((counts >> (index * kCountBits)) & kMaxCount);
    }
    void add(const Sums& other) {
      num += other.num;
      den += other.den;
      counts += other.counts;
    }
  };
  static_assert(offsetof(Sums, den) == offsetof(Sums, num) + sizeof(double),
                "push() adds num and den as one vector");

  UserScorer(const ItemKnn::State& state, const Settings& settings, const UserRow& user)
      : state_(state),
        settings_(settings),
        user_(user),
        scratch_(scratchFor(state)),
        bands_(state.bands) {
    const knn::NeighborLists& containing = state.containing();
    for (std::size_t e = 0; e < user.row.items.size(); ++e) {
      const auto j = static_cast<std::size_t>(user.row.items[e]);
      const double r = user.row.values[e];
      scratch_.rated[j] = 1;
      scratch_.rating[j] = r;
      maxAbsRating_ = std::max(maxAbsRating_, std::fabs(r));
      double insert = r;  // into the distinct levels, best first
      for (double& level : level_) {
        if (insert == level) break;
        if (insert > level) std::swap(level, insert);
      }
      pushCost_ += containing.end(user.row.items[e]) - containing.begin(user.row.items[e]);
    }
  }
  ~UserScorer() {
    for (std::int32_t j : user_.row.items) scratch_.rated[static_cast<std::size_t>(j)] = 0;
    if (pushed_) std::fill(scratch_.sums.begin(), scratch_.sums.end(), Sums{});
  }
  UserScorer(const UserScorer&) = delete;
  UserScorer& operator=(const UserScorer&) = delete;

  bool rated(std::size_t item) const { return scratch_.rated[item] != 0; }
  double rating(std::size_t item) const { return scratch_.rating[item]; }

  /// Entries a push reads: the lengths of the lists containing the rated items.
  std::size_t pushCost() const { return pushCost_; }
  /// Whether the push's packed counts can hold this user's hits (see Sums).
  bool canPush() const { return user_.row.items.size() <= Sums::kMaxCount; }

  /// Adds every rated item's contribution to each list containing it (any order), per band.
  void push() {
    pushed_ = true;
    if (state_.wideSlots.empty()) {
      pushBySlots(state_.narrowSlots.data());
    } else {
      pushBySlots(state_.wideSlots.data());
    }
  }
  template <class Slot>
  void pushBySlots(const Slot* slots) {
    const knn::NeighborLists& containing = state_.containing();
    const double* sims = containing.sims.data();
    Sums* sums = scratch_.sums.data();
    const bool implicit = settings_.implicit;
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      const std::int32_t j = user_.row.items[e];
      const double r = implicit ? 1.0 : user_.row.values[e];
      const std::uint64_t counted = Sums::count(r == level_[0], r == level_[1]);
      const std::size_t end = containing.end(j);
#ifdef __wasm_simd128__
      // (num, den) += (s, |s|) * (r, 1) in one vector operation: lane by lane the scalar sums
      // (the wasm build does not vectorise loops itself).
      const v128_t byRating = wasm_f64x2_make(r, 1.0);
      const v128_t signOfDen = wasm_i64x2_make(-1, std::numeric_limits<std::int64_t>::max());
#endif
      for (std::size_t g = containing.begin(j); g < end; ++g) {
        const double s = sims[g];
        Sums& acc = sums[slots[g]];
#ifdef __wasm_simd128__
        const v128_t terms =
            wasm_f64x2_mul(wasm_v128_and(wasm_f64x2_splat(s), signOfDen), byRating);
        wasm_v128_store(&acc.num, wasm_f64x2_add(wasm_v128_load(&acc.num), terms));
#else
        acc.num += s * r;
        acc.den += std::fabs(s);
#endif
        acc.counts += counted;
      }
    }
  }
  /// A candidate's pushed sums over all bands.
  Sums pushedTotal(std::size_t item) const {
    const Sums* part = scratch_.sums.data() + item * bands_;
    Sums total = part[0];
    for (std::size_t b = 1; b < bands_; ++b) total.add(part[b]);
    return total;
  }
  std::int32_t pushedHits(std::size_t item) const { return pushedTotal(item).hits(); }

  /// The pushed score of a candidate with these sums, and a bound on its distance from the
  /// notebook's (valid for at most k hits): both sums may differ by 2 (n - 1) u times the sum of
  /// their terms' magnitudes.
  double pushedScore(const Sums& acc, double& margin) const {
    const auto n = static_cast<double>(acc.hits());
    constexpr double kUnit = 0x1p-50;  // 8 u: a factor 4 to spare
    if (settings_.implicit) {
      margin = kUnit * (n + 2) * acc.den;
      return acc.num;
    }
    const double score = acc.num / acc.den;
    margin = kUnit * (n + 2) * (maxAbsRating_ + std::fabs(score));
    return score;
  }

  /// Whether the prediction of a candidate with more than k pushed hits is surely below
  /// `threshold`, without walking its list. Its first k hits are the hits of its bands before the
  /// one holding the k-th (their pushed sums), then the strongest of that band's: at best its
  /// best-rated ones first, then its second-rated, then others (at most the third level), each
  /// weighing within the band's |s|.
  bool ceilingBelow(std::size_t item, double threshold) const {
    const std::int32_t k = settings_.neighbors;
    Sums before;
    std::size_t band = 0;
    const std::size_t lastBand = bands_ - 1;  // the rest of the list
    for (; band < lastBand; ++band) {
      const Sums& here = scratch_.sums[item * bands_ + band];
      if (before.hits() + here.hits() >= k) break;
      before.add(here);
    }
    const double* cuts = state_.bandCuts.data() + item * kCutStride;
    const double strongest = band == 0 ? state_.strongest[item] : cuts[band - 1];
    const double weakest = std::max(state_.weakest[item], band == lastBand ? 0.0 : cuts[band]);
    std::int32_t left = k - before.hits();
    if (settings_.implicit) {
      // Also at most the sum over all its hits (similarities >= 0), widened past its rounding.
      const Sums total = pushedTotal(item);
      return surelyBelow(
          std::min(before.num + left * strongest, total.num * (1 + 0x1p-40 * (total.hits() + 2))),
          threshold);
    }
    // The mean is highest at a corner: the strongest weight for the levels above it, the weakest
    // for those below. It is below `bar` when its sum of weight * (level - bar) is negative, and
    // the levels above bar weigh most at the strongest weight, those below least at the weakest.
    const double bar = barFor(threshold);
    const Sums& last = scratch_.sums[item * bands_ + band];
    const std::int32_t available[3] = {last.top(), last.second(), left};
    double excess = before.num - bar * before.den;
    for (int l = 0; l < 3 && left > 0; ++l) {
      const std::int32_t taken = std::min(available[l], left);
      if (taken == 0) continue;  // a missing level is -inf
      const double gain = level_[l] - bar;
      excess += taken * (gain > 0 ? strongest : weakest) * gain;
      left -= taken;
    }
    return excess < 0;
  }

  /// True when `value`, a bound on a prediction, is below `threshold` by more than the rounding
  /// of the notebook's sums (about k u times their magnitude; this allows over 100 times more).
  bool surelyBelow(double value, double threshold) const {
    if (!state_.nonNegative) return false;
    return value + roundingSlack(value, threshold) < threshold;
  }
  /// Means of the user's ratings below this are surely below `threshold` (surelyBelow at the
  /// largest such mean), -inf where nothing is sure.
  double barFor(double threshold) const {
    return state_.nonNegative ? threshold - roundingSlack(maxAbsRating_, threshold)
                              : -std::numeric_limits<double>::infinity();
  }
  /// surelyBelow's allowance for rounding.
  double roundingSlack(double value, double threshold) const {
    return 0x1p-46 * (settings_.neighbors + 64) * (std::fabs(threshold) + maxAbsRating_) *
           (1.0 + std::fabs(value));
  }

  /// The notebook's prediction for a candidate without hits: the user's mean (explicit data), or
  /// an empty sum.
  double scoreWithoutHits() const { return settings_.implicit ? 0.0 : user_.mean; }

  /// Loads the start of `item`'s list, so that a pull soon after finds it in cache.
  void touchList(std::size_t item) {
    const knn::NeighborLists& lists = state_.lists;
    const std::size_t begin = lists.begin(static_cast<std::int32_t>(item));
    if (begin == lists.end(static_cast<std::int32_t>(item))) return;
    touched_ ^= static_cast<std::uint32_t>(lists.ids[begin]);
    touchedSims_ += lists.sims[begin];
  }

  /// The notebook's prediction for `item`: its list walked in neighbour order until `limit` hits
  /// (k, or the number the push counted).
  double pulledScore(std::size_t item, std::int32_t limit) const {
    double score = 0.0;
    pull(item, limit, -std::numeric_limits<double>::infinity(), score);
    return score;
  }

  /// pulledScore, unless the prediction is sure to fall below `threshold`: then false, as soon
  /// as that shows. The hits still to come weigh at most the first entry not yet read each.
  bool pull(std::size_t item, std::int32_t limit, double threshold, double& score) const {
    return pushed_ ? pullTracking<true>(item, limit, threshold, score)
                   : pullTracking<false>(item, limit, threshold, score);
  }

  /// For a candidate with more than k hits: whether selecting its first k from its gathered hits
  /// (about 4 steps a hit) beats walking its list to the k-th hit (k * length / hits entries when
  /// the hits are spread evenly).
  bool gatheringIsCheaper(std::size_t item) const {
    const auto hits = static_cast<double>(pushedHits(item));
    const auto row = static_cast<std::int32_t>(item);
    const auto length = static_cast<double>(state_.lists.end(row) - state_.lists.begin(row));
    return 4 * hits * hits < settings_.neighbors * length;
  }

  /// Exact predictions for `items` without walking their lists: a second push gathers each one's
  /// hits, which are put in neighbour order and the first k of them summed. Costs one push and a
  /// sort per item, where walking costs each list up to its k-th (or last) hit.
  void gatheredScores(const std::vector<std::int32_t>& items, std::vector<double>& scores) const {
    const GatherSlots assigned(scratch_.slot, items);
    const std::int32_t* slots = assigned.data();
    knn::NeighborLists& hits = scratch_.gathered;  // row t: items[t]'s hits (rated item, s)
    std::vector<std::uint32_t> next =
        sizeGathered(hits, items, [&](std::size_t item) { return pushedHits(item); });
    std::int32_t* hitIds = hits.ids.data();
    double* hitSims = hits.sims.data();
    const knn::NeighborLists& containing = state_.containing();
    for (std::int32_t j : user_.row.items) {
      // Bounds held in locals: the stores could alias the offsets (int vs unsigned).
      for (std::size_t g = containing.begin(j), end = containing.end(j); g < end; ++g) {
        const std::int32_t t = slots[containing.ids[g]];
        if (t < 0) continue;
        const std::uint32_t at = next[static_cast<std::size_t>(t)]++;
        hitIds[at] = j;
        hitSims[at] = containing.sims[g];
      }
    }
    scoreGathered(hits, scores);
  }

  /// Sizes row t of `hits` for hitsOf(items[t]) hits, left to be written; returns where each
  /// row's next hit goes.
  template <class HitsOf>
  static std::vector<std::uint32_t> sizeGathered(knn::NeighborLists& hits,
                                                 const std::vector<std::int32_t>& items,
                                                 const HitsOf& hitsOf) {
    hits.offsets.assign(items.size() + 1, 0);
    for (std::size_t t = 0; t < items.size(); ++t) {
      hits.offsets[t + 1] =
          hits.offsets[t] + static_cast<std::uint32_t>(hitsOf(static_cast<std::size_t>(items[t])));
    }
    hits.ids.clear();  // nothing to keep: resize() alone would copy the old hits when growing
    hits.sims.clear();
    hits.ids.resize(hits.offsets.back());
    hits.sims.resize(hits.offsets.back());
    return {hits.offsets.begin(), hits.offsets.end() - 1};
  }

  /// Row t of `hits` holds a candidate's hits: its prediction, from the first k in neighbour
  /// order.
  void scoreGathered(knn::NeighborLists& hits, std::vector<double>& scores) const {
    scores.resize(static_cast<std::size_t>(hits.rows()));
    for (std::int32_t row = 0; row < hits.rows(); ++row) {
      knn::sortIntoNeighborOrder(hits, hits.begin(row), hits.end(row));
      const std::size_t used =
          std::min(hits.end(row) - hits.begin(row), static_cast<std::size_t>(settings_.neighbors));
      double num = 0.0;
      double den = 0.0;
      for (std::size_t g = hits.begin(row); g < hits.begin(row) + used; ++g) {
        if (settings_.implicit) {
          num += hits.sims[g];
        } else {
          num += hits.sims[g] * rating(static_cast<std::size_t>(hits.ids[g]));
          den += std::fabs(hits.sims[g]);
        }
      }
      scores[static_cast<std::size_t>(row)] =
          settings_.implicit ? num : (den != 0 ? num / den : user_.mean);
    }
  }

  /// Counts every candidate's best-rated hits into scratch bestHits and predicts the `pure`
  /// candidates (every hit best-rated) from them, in one pass over the best-rated items' lists:
  /// the pure candidates' hits are collected as they come, then grouped by candidate.
  void countBestHitsAndScorePure(const std::vector<std::int32_t>& pure,
                                 std::vector<double>& scores) const {
    const GatherSlots assigned(scratch_.slot, pure);
    const std::int32_t* slots = assigned.data();
    std::vector<CollectedHit>& collected = scratch_.collected;
    collected.clear();
    const knn::NeighborLists& containing = state_.containing();
    const std::int32_t* ids = containing.ids.data();
    std::int32_t* counts = scratch_.bestHits.data();
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      if (user_.row.values[e] != level_[0]) continue;
      const std::int32_t j = user_.row.items[e];
      for (std::size_t g = containing.begin(j), end = containing.end(j); g < end; ++g) {
        const auto i = static_cast<std::size_t>(ids[g]);
        ++counts[i];
        if (slots[i] >= 0) collected.push_back({slots[i], j, containing.sims[g]});
      }
    }
    knn::NeighborLists& hits = scratch_.gathered;
    std::vector<std::uint32_t> next =
        sizeGathered(hits, pure, [&](std::size_t item) { return counts[item]; });
    // Both come from the same loop; a mismatch would scatter out of bounds.
    if (collected.size() != hits.offsets.back())
      fail(ErrorCode::kInternal, "item_knn hits miscounted");
    for (const CollectedHit& hit : collected) {
      const std::uint32_t at = next[static_cast<std::size_t>(hit.slot)]++;
      hits.ids[at] = hit.item;
      hits.sims[at] = hit.sim;
    }
    scoreGathered(hits, scores);
  }

  /// The top k when the user's best-rated items alone decide it, else false (nothing done).
  /// That takes at least k allowed "pure" candidates (every hit rated at the best level: each
  /// scores that level, up to rounding). Any other candidate with a hit and fewer than
  /// `neighbors` best-rated ones has a lower-rated hit among its first `neighbors`, which keeps
  /// its prediction below the best level by at least (best - second best) times
  /// weakest / ((neighbors - 1) strongest + weakest) of its list: those not surely below the
  /// k-th pure score, or with more best-rated hits, are pulled. Costs word operations per rated
  /// item, one pass over the best-rated items' lists (counting and gathering hits) or walks of
  /// the pure candidates' lists, whichever reads less where the counts are not needed, and a
  /// bound per candidate.
  bool rankByBestLevel(const CandidateFilter& filter, int k, Recommendations& out) const {
    const std::size_t words = state_.listWords;
    if (words == 0 || !(level_[1] > -std::numeric_limits<double>::infinity())) return false;
    const std::int32_t neighbors = settings_.neighbors;
    std::vector<std::uint64_t>& best = scratch_.bestBits;
    std::vector<std::uint64_t>& lower = scratch_.lowerBits;
    best.assign(words, 0);
    lower.assign(words, 0);
    auto mark = [&](std::size_t e, std::vector<std::uint64_t>& into) {
      const std::uint64_t* bits =
          state_.listBits.data() + static_cast<std::size_t>(user_.row.items[e]) * words;
      for (std::size_t w = 0; w < words; ++w) into[w] |= bits[w];
    };
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      if (user_.row.values[e] == level_[0]) mark(e, best);
    }
    // Lower-rated items after: a heavy rater's soon cover nearly every list, and as soon as
    // fewer than k candidates can still be pure, the shortcut is off.
    constexpr std::size_t kCheckEvery = 32;
    std::size_t marked = 0;
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      if (user_.row.values[e] == level_[0]) continue;
      mark(e, lower);
      if (++marked % kCheckEvery != 0) continue;
      std::size_t pureAtMost = 0;
      for (std::size_t w = 0; w < words; ++w) {
        pureAtMost += static_cast<std::size_t>(__builtin_popcountll(best[w] & ~lower[w]));
      }
      if (pureAtMost < static_cast<std::size_t>(k)) return false;
    }
    auto has = [](const std::vector<std::uint64_t>& bits, std::size_t i) {
      return ((bits[i >> 6] >> (i & 63)) & 1) != 0;
    };
    const auto n = static_cast<std::size_t>(state_.lists.rows());
    std::vector<std::int32_t> pure;
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = best[w] & ~lower[w]; bits != 0; bits &= bits - 1) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        if (!rated(i) && filter.allows(static_cast<std::int32_t>(i)))
          pure.push_back(static_cast<std::int32_t>(i));
      }
    }
    if (pure.size() < static_cast<std::size_t>(k)) return false;
    // The bound below needs a candidate's best-rated hits to be fewer than `neighbors` (with as
    // many, its first `neighbors` hits may all be best-rated), which holds for every candidate
    // of a user with fewer best-rated items. Otherwise they are counted in the pass over the
    // best-rated items' lists that gathers the pure candidates' hits; without the counts, walking
    // the pure candidates' lists (mostly rare items: short lists) may read fewer entries.
    std::vector<std::int32_t>& bestHits = scratch_.bestHits;
    struct Reset {
      std::vector<std::int32_t>& counts;
      ~Reset() { std::fill(counts.begin(), counts.end(), 0); }
    } reset{bestHits};
    const knn::NeighborLists& containing = state_.containing();
    std::int32_t bestItems = 0;
    std::size_t bestEntries = 0;
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      if (user_.row.values[e] != level_[0]) continue;
      ++bestItems;
      bestEntries += containing.end(user_.row.items[e]) - containing.begin(user_.row.items[e]);
    }
    std::size_t pureEntries = 0;
    for (std::int32_t i : pure) pureEntries += state_.lists.end(i) - state_.lists.begin(i);
    TopK ranked(static_cast<std::size_t>(k));
    const bool counted = !(bestItems < neighbors && pureEntries < bestEntries);
    if (!counted) {
      for (std::int32_t i : pure)
        ranked.push(pulledScore(static_cast<std::size_t>(i), neighbors), i);
    } else {
      std::vector<double> exact;
      countBestHitsAndScorePure(pure, exact);
      for (std::size_t t = 0; t < pure.size(); ++t) ranked.push(exact[t], pure[t]);
    }
    // Rated items score their rating, where the filter lets them through.
    for (std::size_t e = 0; e < user_.row.items.size(); ++e) {
      const std::int32_t j = user_.row.items[e];
      if ((e == 0 || user_.row.items[e - 1] != j) && filter.allows(j)) ranked.push(rating(j), j);
    }
    // Items without a hit score the mean: only the first k of them (ties go to the lower id).
    std::int32_t withoutHits = 0;
    for (std::size_t w = 0; w < words && withoutHits < k; ++w) {
      for (std::uint64_t bits = ~(best[w] | lower[w]); bits != 0 && withoutHits < k;
           bits &= bits - 1) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        if (i >= n) break;
        if (rated(i) || !filter.allows(static_cast<std::int32_t>(i))) continue;
        ranked.push(user_.mean, static_cast<std::int32_t>(i));
        ++withoutHits;
      }
    }
    // The rest have a lower-rated hit. One among a candidate's first `neighbors` hits keeps its
    // prediction below the best level by at least (best - second best) times its list's least
    // share, which puts it surely below `worst` when the share exceeds `cutoff` (the bound solved
    // for the share once per bar, with twice surelyBelow's slack at the largest bound, to spare;
    // the bitsets exist only for similarities >= 0). The others that may reach the list are
    // pulled.
    const double gap = level_[0] - level_[1];
    const double largest = std::max(std::fabs(level_[0]), std::fabs(level_[1]));
    double cutoffFor = std::numeric_limits<double>::quiet_NaN();
    double cutoff = std::numeric_limits<double>::infinity();
    auto cutoffNow = [&] {
      const double worst = ranked.worstScore();
      if (!(worst == cutoffFor)) {
        cutoffFor = worst;
        cutoff = (level_[0] + 2 * roundingSlack(largest, worst) - worst) / gap;
      }
      return cutoff;
    };
    auto pullIfAllowed = [&](std::size_t i) {
      const auto item = static_cast<std::int32_t>(i);
      if (!has(lower, i) || rated(i) || !filter.allows(item)) return;
      if (state_.leastShare[i] > cutoffNow() && lowerRatedAmongFirst(i, neighbors)) return;
      double score = 0.0;
      if (pull(i, neighbors, ranked.worstScore(), score)) ranked.push(score, item);
    };
    // With as many best-rated hits as `neighbors`, a candidate's first `neighbors` may all be
    // best-rated: its list is walked to its first lower-rated hit, comparing ratings only
    // (cheaper than the pull it spares). With fewer, they hold a lower-rated one; the bar sits at
    // about the best level, where the cutoff is about 0: mostly no list's share is that small,
    // and none needs a look.
    if (counted) {
      for (std::size_t i = 0; i < n; ++i) {
        if (bestHits[i] >= neighbors) pullIfAllowed(i);
      }
    }
    if (!(cutoffNow() < state_.smallestShare)) {
      for (std::size_t i = 0; i < n; ++i) {
        if (bestHits[i] < neighbors) pullIfAllowed(i);
      }
    }
    ranked.drainSorted(out.items, out.scores);
    return true;
  }

 private:
  // pull(), tracking the hits still to come at the best two levels where a push counted them
  // (without, those counts never bind: at most the hits left, which staysBelow caps anyway; not
  // tracking them is 1% of recommend-all in wasm).
  template <bool kLevelsCounted>
  bool pullTracking(std::size_t item, std::int32_t limit, double threshold, double& score) const {
    const knn::NeighborLists& lists = state_.lists;
    const auto row = static_cast<std::int32_t>(item);
    const std::int32_t* ids = lists.ids.data();
    const double* sims = lists.sims.data();
    const bool implicit = settings_.implicit;
    const bool bounded = threshold > -std::numeric_limits<double>::infinity();
    double num = 0.0;
    double den = 0.0;
    std::int32_t hits = 0;
    // Hits still to come at the best two levels (the push counted them; else any number).
    std::int32_t topLeft = limit;
    std::int32_t secondLeft = limit;
    if (kLevelsCounted) {
      const Sums total = pushedTotal(item);
      topLeft = total.top();
      secondLeft = total.second();
    }
    const std::uint8_t* isRated = scratch_.rated.data();
    const double* ratings = scratch_.rating.data();  // held here: reread per hit otherwise
    const std::size_t end = lists.end(row);
    const double bar = barFor(threshold);
    // Entries go by 16 (see ratedMask).
    for (std::size_t chunk = lists.begin(row); hits < limit && chunk < end; chunk += 16) {
      const std::size_t chunkEnd = std::min(chunk + 16, end);
      std::uint32_t mask = ratedMask(ids, isRated, chunk, end);
      if (mask != 0) {
        double s = 0.0;
        do {
          const std::size_t g = chunk + static_cast<std::size_t>(__builtin_ctz(mask));
          mask &= mask - 1;
          s = sims[g];
          if (implicit) {
            num += s;
          } else {
            const double r = ratings[ids[g]];
            num += s * r;
            den += std::fabs(s);
            if (kLevelsCounted) {
              topLeft -= r == level_[0] ? 1 : 0;
              secondLeft -= r == level_[1] ? 1 : 0;
            }
          }
        } while (++hits < limit && mask != 0);
      }
      // Later hits weigh at most the first entry not yet read (none: the list is done).
      if (bounded && hits > 0 && hits < limit && chunkEnd < end) {
        const double weight = std::fabs(sims[chunkEnd]);
        if (implicit ? surelyBelow(num + (limit - hits) * weight, threshold)
                     : staysBelow(num, den, weight, limit - hits, topLeft, secondLeft, bar)) {
          return false;
        }
      }
    }
    if (implicit) {
      score = num;
    } else {
      score = hits > 0 && den != 0 ? num / den : user_.mean;
    }
    return true;
  }

  /// Whether one of the first `neighbors` hits of `item`'s list is rated below the user's best
  /// level: the list walked in neighbour order until a lower-rated hit or the neighbors-th
  /// best-rated one.
  bool lowerRatedAmongFirst(std::size_t item, std::int32_t neighbors) const {
    const knn::NeighborLists& lists = state_.lists;
    const std::int32_t* ids = lists.ids.data();
    const std::uint8_t* isRated = scratch_.rated.data();
    const double* ratings = scratch_.rating.data();
    std::int32_t bestSeen = 0;
    const std::size_t end = lists.end(static_cast<std::int32_t>(item));
    for (std::size_t chunk = lists.begin(static_cast<std::int32_t>(item)); chunk < end;
         chunk += 16) {
      for (std::uint32_t mask = ratedMask(ids, isRated, chunk, end); mask != 0; mask &= mask - 1) {
        const std::size_t g = chunk + static_cast<std::size_t>(__builtin_ctz(mask));
        if (ratings[ids[g]] != level_[0]) return true;
        if (++bestSeen == neighbors) return false;
      }
    }
    return false;
  }

  // Whether every mean reachable from the sums `num` / `den` by `left` more hits, each weighing
  // at most `weight`, at most topLeft of them at the best level and secondLeft at the second, is
  // below `bar`. A set's weighted mean is below bar when its sum of weight * (rating - bar) is
  // negative; the hits that raise that sum most are those at levels above bar, best first, at
  // full weight. No division: a pull asks this every 16 entries.
  bool staysBelow(double num, double den, double weight, std::int32_t left, std::int32_t topLeft,
                  std::int32_t secondLeft, double bar) const {
    double excess = num - bar * den;
    const std::int32_t available[3] = {topLeft, secondLeft, left};
    for (int l = 0; l < 3 && left > 0; ++l) {
      if (!(level_[l] > bar)) break;
      const std::int32_t taken = std::max(0, std::min(left, available[l]));
      excess += taken * weight * (level_[l] - bar);
      left -= taken;
    }
    return excess < 0;
  }

  struct CollectedHit {
    std::int32_t slot;  // the candidate's row in the gathered hits
    std::int32_t item;  // the rated item
    double sim;
  };
  // For a gathering, item items[t] gets slot t (its row in the gathered hits), every other -1.
  // The slots are reset when the gathering ends, also when an allocation throws.
  class GatherSlots {
   public:
    GatherSlots(std::vector<std::int32_t>& slot, const std::vector<std::int32_t>& items)
        : slot_(slot), items_(items) {
      for (std::size_t t = 0; t < items.size(); ++t) {
        slot_[static_cast<std::size_t>(items[t])] = static_cast<std::int32_t>(t);
      }
    }
    ~GatherSlots() {
      for (std::int32_t item : items_) slot_[static_cast<std::size_t>(item)] = -1;
    }
    GatherSlots(const GatherSlots&) = delete;
    GatherSlots& operator=(const GatherSlots&) = delete;
    const std::int32_t* data() const { return slot_.data(); }

   private:
    std::vector<std::int32_t>& slot_;
    const std::vector<std::int32_t>& items_;
  };
  struct Scratch {
    std::vector<std::uint8_t> rated;  // 1 for rated items: bytes, so that a pull tests 16 at once
    std::vector<double> rating;
    std::vector<Sums> sums;          // State::bands per item
    std::vector<std::int32_t> slot;  // -1, or where an item's gathered hits go
    knn::NeighborLists gathered;
    std::vector<CollectedHit> collected;   // countBestHitsAndScorePure
    std::vector<std::uint64_t> bestBits;   // rankByBestLevel: lists holding a best-rated item
    std::vector<std::uint64_t> lowerBits;  // ... and lists holding a lower-rated one
    std::vector<std::int32_t> bestHits;    // ... and best-rated hits per candidate (or 0)
  };
  static Scratch& scratchFor(const ItemKnn::State& state) {
    thread_local Scratch scratch;
    const auto n = static_cast<std::size_t>(state.lists.rows());
    // sums last: if an allocation throws, the next call redoes all.
    if (scratch.sums.size() != n * state.bands) {
      scratch.rated.assign(n, 0);
      scratch.rating.assign(n, 0.0);
      scratch.slot.assign(n, -1);
      scratch.bestHits.assign(n, 0);
      scratch.sums.assign(n * state.bands, Sums{});
    }
    return scratch;
  }

  const ItemKnn::State& state_;
  const Settings& settings_;
  const UserRow& user_;
  Scratch& scratch_;
  std::size_t bands_;  // state_.bands
  double maxAbsRating_ = 0.0;
  // The user's best, second best and third best distinct ratings (-inf where there are fewer).
  double level_[3] = {-std::numeric_limits<double>::infinity(),
                      -std::numeric_limits<double>::infinity(),
                      -std::numeric_limits<double>::infinity()};
  bool pushed_ = false;
  std::size_t pushCost_ = 0;
  // What touchList read, kept so that its reads are not optimised away.
  volatile std::uint32_t touched_ = 0;
  volatile double touchedSims_ = 0.0;
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
  return (s.means.size() + s.strongest.size() + s.weakest.size() + s.leastShare.size()) *
             sizeof(double) +
         s.lists.bytes() + s.inverse.bytes() + s.listBits.size() * sizeof(std::uint64_t) +
         s.bandCuts.size() * sizeof(double) + s.narrowSlots.size() * sizeof(std::uint16_t) +
         s.wideSlots.size() * sizeof(std::uint32_t);
}

std::unique_ptr<Recommender::TrainingRun> ItemKnn::startTraining(const Dataset& data) {
  knn::requireTrainable(data, kKind);
  return std::make_unique<OnePassRun<std::shared_ptr<const State>>>(
      buildState(*data.interactions, *settings_));
}

void ItemKnn::adopt(TrainingRun& run) {
  state_ = std::move(static_cast<OnePassRun<std::shared_ptr<const State>>&>(run).state());
}

// For size: the work is in push(), pull() and gatheredScores(), which stay fast.
RECWASM_COLD void ItemKnn::scoreInto(const UserContext& user, double* scores) const {
  const Settings& settings = *settings_;
  const UserRow row = userRowOf(user, trainingData(), *state_);
  UserScorer scorer(*state_, settings, row);
  const bool pushing = scorer.canPush();
  if (pushing) scorer.push();
  std::vector<std::int32_t> gathered;
  for (std::size_t i = 0; i < static_cast<std::size_t>(numItems()); ++i) {
    const std::int32_t hits = pushing ? scorer.pushedHits(i) : settings.neighbors;
    if (pushing && hits > 0 && (hits <= settings.neighbors || scorer.gatheringIsCheaper(i))) {
      gathered.push_back(static_cast<std::int32_t>(i));
    } else {
      scores[i] = scorer.pulledScore(i, std::min(hits, settings.neighbors));
    }
  }
  if (!gathered.empty()) {  // gathering reads every rated item's list
    std::vector<double> exact;
    scorer.gatheredScores(gathered, exact);
    for (std::size_t t = 0; t < gathered.size(); ++t) {
      scores[static_cast<std::size_t>(gathered[t])] = exact[t];
    }
  }
  if (!settings.implicit) {
    for (std::size_t e = 0; e < row.row.items.size(); ++e) {
      scores[static_cast<std::size_t>(row.row.items[e])] = row.row.values[e];
    }
  }
}

// Walks only the asked-for lists: no push, whose cost is the user's whole neighbourhood.
RECWASM_COLD void ItemKnn::scoreItemsInto(const UserContext& user, Span<std::int32_t> items,
                                          double* scores) const {
  const Settings& settings = *settings_;
  const UserRow row = userRowOf(user, trainingData(), *state_);
  UserScorer scorer(*state_, settings, row);
  for (std::size_t t = 0; t < items.size(); ++t) {
    const auto i = static_cast<std::size_t>(items[t]);
    scores[t] = !settings.implicit && scorer.rated(i) ? scorer.rating(i)
                                                      : scorer.pulledScore(i, settings.neighbors);
  }
}

namespace {

// A pull reads each candidate's list until k hits. When the user's hits are spread evenly, a list
// of length L holds L * pushCost / totalEntries of them, so k hits take k * totalEntries /
// pushCost entries, or the whole list.
bool pullIsCheaper(const knn::NeighborLists& lists, int neighbors, std::size_t pushCost) {
  if (pushCost == 0) return false;
  const double reach = static_cast<double>(neighbors) * static_cast<double>(lists.ids.size()) /
                       static_cast<double>(pushCost);
  double pullCost = 0.0;
  for (std::int32_t i = 0; i < lists.rows(); ++i) {
    pullCost += std::min(reach, static_cast<double>(lists.end(i) - lists.begin(i)));
    if (pullCost >= static_cast<double>(pushCost)) return false;
  }
  return true;
}

}  // namespace

void ItemKnn::rank(const UserContext& user, const CandidateFilter& filter, int k,
                   Recommendations& out) const {
  const State& state = *state_;
  const Settings& settings = *settings_;
  const auto n = static_cast<std::size_t>(numItems());
  const std::int32_t neighbors = settings.neighbors;
  const UserRow row = userRowOf(user, trainingData(), state);
  UserScorer scorer(state, settings, row);
  // A rated item scores its rating (explicit data), as in score().
  const bool explicitRatings = !settings.implicit;
  if (scorer.rankByBestLevel(filter, k, out)) return;
  const bool pushing =
      scorer.canPush() && !pullIsCheaper(state.lists, neighbors, scorer.pushCost());
  if (pushing) scorer.push();

  // Candidates are exact, pushed (at most k hits: the notebook's set, summed in another order,
  // within `margin`), or to pull (more than k hits, or no push).
  enum class Kind : std::uint8_t { kExact, kPushed, kToPull };
  struct Candidate {
    double score;
    double margin;
    std::int32_t item;
    Kind kind;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(n);
  // The k best lower bounds seen: at least k candidates score at least the smallest, so one
  // sure to score below it cannot make the list.
  TopK lows(static_cast<std::size_t>(k));
  auto threshold = [&lows] {
    return lows.full() ? lows.worstScore() : -std::numeric_limits<double>::infinity();
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!filter.allows(static_cast<std::int32_t>(i))) continue;
    Candidate c{0.0, 0.0, static_cast<std::int32_t>(i), Kind::kExact};
    const UserScorer::Sums pushed = pushing ? scorer.pushedTotal(i) : UserScorer::Sums{};
    const std::int32_t hits = pushed.hits();
    if (explicitRatings && scorer.rated(i)) {
      c.score = scorer.rating(i);
    } else if (!pushing || hits > neighbors) {
      c.kind = Kind::kToPull;
    } else if (hits == 0) {
      c.score = scorer.scoreWithoutHits();
    } else {
      c.kind = Kind::kPushed;
      c.score = scorer.pushedScore(pushed, c.margin);
    }
    if (c.kind != Kind::kToPull) lows.push(c.score - c.margin, c.item);
    candidates.push_back(c);
  }
  // Pulls stop early once a candidate is sure to miss the list; each completed one may raise the
  // bar for the next. A pushed candidate's ceiling may rule it out without a pull.
  std::vector<Candidate*> toPull;
  for (Candidate& c : candidates) {
    if (c.kind != Kind::kToPull) continue;
    if (pushing && state.nonNegative &&
        scorer.ceilingBelow(static_cast<std::size_t>(c.item), threshold())) {
      continue;
    }
    toPull.push_back(&c);
  }
  constexpr std::size_t kAhead = 8;  // lists touched ahead: each starts with a cache miss
  for (std::size_t t = 0; t < toPull.size(); ++t) {
    if (t + kAhead < toPull.size())
      scorer.touchList(static_cast<std::size_t>(toPull[t + kAhead]->item));
    Candidate& c = *toPull[t];
    if (scorer.pull(static_cast<std::size_t>(c.item), neighbors, threshold(), c.score)) {
      c.kind = Kind::kExact;
      lows.push(c.score, c.item);
    }
  }
  // Pushed candidates that may still make the list are made exact: by pulls, or, where their
  // lists hold more entries than a push reads (many survivors: large k), by one gathering.
  const double bar = threshold();
  TopK top(static_cast<std::size_t>(k));
  std::vector<std::int32_t> survivors;
  std::size_t survivorEntries = 0;
  for (Candidate& c : candidates) {
    if (c.kind == Kind::kToPull || c.score + c.margin < bar) continue;
    if (c.kind == Kind::kExact) {
      top.push(c.score, c.item);
    } else {
      survivors.push_back(c.item);
      survivorEntries += state.lists.end(c.item) - state.lists.begin(c.item);
    }
  }
  if (survivorEntries > scorer.pushCost()) {
    std::vector<double> exact;
    scorer.gatheredScores(survivors, exact);
    for (std::size_t t = 0; t < survivors.size(); ++t) top.push(exact[t], survivors[t]);
  } else {
    for (std::int32_t item : survivors) {
      const auto i = static_cast<std::size_t>(item);
      double score = 0.0;
      if (scorer.pull(i, scorer.pushedHits(i), bar, score)) top.push(score, item);
    }
  }
  top.drainSorted(out.items, out.scores);
}

void ItemKnn::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  const knn::NeighborLists& lists = state_->lists;
  TopK top(static_cast<std::size_t>(k));
  for (std::size_t g = lists.begin(item); g < lists.end(item); ++g) {
    if (lists.sims[g] > 0) top.push(lists.sims[g], lists.ids[g]);
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
  const knn::NeighborLists& lists = state_->lists;
  std::vector<Contribution> out;
  double den = 0.0;
  for (std::size_t g = lists.begin(item);
       g < lists.end(item) && static_cast<int>(out.size()) < settings.neighbors; ++g) {
    const double* r = ratingOf(lists.ids[g]);
    if (r == nullptr) continue;
    const double s = lists.sims[g];
    out.push_back({lists.ids[g], settings.implicit ? s : s * *r});
    den += std::fabs(s);
  }
  if (!settings.implicit) {
    for (Contribution& c : out) c.weight /= den;
  }
  return strongestContributions(out, topN);
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
