// Internal machinery shared by user_knn and item_knn: option parsing, the notebook's pair
// similarities computed exactly as numpy does, and the sparse neighbour lists built from them.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "recwasm/interactions.h"
#include "recwasm/options.h"
#include "recwasm/recommender.h"

namespace recwasm::knn {

struct Settings {
  int neighbors = 30;          ///< neighbours per prediction (the notebook's k_neighbors)
  int minOverlap = 2;          ///< co-rated entries a similarity needs
  double shrinkage = 0.0;      ///< s * n / (n + shrinkage), n = overlap; 0 = off
  bool implicit = false;       ///< binary data: cosine of the sets, scores sum similarities
  int maxStoredNeighbors = 0;  ///< 0: every non-zero similarity (exact); else top per row
};

/// Reads the kNN options (see knn.h) and returns the resolved option map.
OptionMap readSettings(const OptionMap& given, const char* kind, int defaultNeighbors,
                       Settings& out);
void requireTrainable(const Dataset& data, const char* kind);

enum class Similarity {
  kPearson,  ///< the notebook's pearson_sim_nan (user_knn)
  kCosine,   ///< the notebook's cosine_sim_nan (item_knn)
  kBinary,   ///< implicit: |A and B| / (sqrt|A| * sqrt|B|)
};

/// Similarity of two rows from their overlap, `x` the first row's values and `y` the second's,
/// both in ascending column order, `n` entries; `degreeA/B` are the rows' sizes. Bit-identical to
/// the notebook (numpy's pairwise sums), then shrunk. 0 when the notebook returns 0.
double pairSimilarity(Similarity kind, const double* x, const double* y, std::size_t n,
                      std::size_t degreeA, std::size_t degreeB, double shrinkage,
                      std::vector<double>& scratch);

/// std::allocator, except that resize() leaves new elements of trivial types unwritten: for the
/// large arrays that are filled right after (zero-filling the lists cost 5% of item_knn's fit).
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* at) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(at)) U;
  }
  template <class U, class... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

/// Neighbour lists: row r holds other rows with a non-zero similarity. Exact lists are symmetric
/// (b in row a <=> a in row b); with maxStored > 0 a row keeps only its maxStored strongest.
struct NeighborLists {
  std::vector<std::uint32_t> offsets{0};
  UninitializedVector<std::int32_t> ids;  // resize() leaves new entries to be written
  UninitializedVector<double> sims;

  std::int32_t rows() const { return static_cast<std::int32_t>(offsets.size()) - 1; }
  std::size_t begin(std::int32_t r) const { return offsets[static_cast<std::size_t>(r)]; }
  std::size_t end(std::int32_t r) const { return offsets[static_cast<std::size_t>(r) + 1]; }
  std::size_t bytes() const;
};

/// True when (|a|, idA) comes before (|b|, idB) in neighbour order: |s| descending, ties to the
/// lower id, the order of the notebook's stable sort over ascending candidates.
inline bool strongerNeighbor(double a, std::int32_t idA, double b, std::int32_t idB) {
  double absA = a < 0 ? -a : a;
  double absB = b < 0 ? -b : b;
  return absA > absB || (absA == absB && idA < idB);
}

/// All pair similarities between the rows of `rows` (e.g. users x items) whose overlap is at least
/// settings.minOverlap, from sparse row products: for each row a, the columns of a lead through
/// `columns` (the transpose) to every later row b sharing a column; the overlaps are gathered into
/// contiguous buffers in ascending column order, as numpy's masks select them.
/// Rows are in neighbour order when bounded or `sortRows`, else (exact lists) in ascending
/// partner order.
NeighborLists buildNeighborLists(const SparseRows& rows, const SparseRows& columns, Similarity kind,
                                 const Settings& settings, bool sortRows);

/// Room per row of exact lists: the rows before and after it sharing at least minOverlap columns
/// with it (the pairs the similarity passes consider; those whose similarity is 0 are dropped
/// later). Counting only, it spares a copy of every pair. Two ways, whose costs differ with the
/// data (buildNeighborLists picks one): walking every pair of rows within each column, or
/// combining the columns as bitsets of their rows, a word operation per 64 rows.
struct PartnerCounts {
  std::vector<std::uint32_t> below;
  std::vector<std::uint32_t> above;
};
PartnerCounts partnerCountsByPairWalk(const SparseRows& rows, const SparseRows& columns,
                                      std::int32_t minOverlap);
PartnerCounts partnerCountsByBitsets(const SparseRows& rows, const SparseRows& columns,
                                     std::int32_t minOverlap);

/// Puts entries [begin, end) of `lists` in neighbour order, in place.
void sortIntoNeighborOrder(NeighborLists& lists, std::size_t begin, std::size_t end);

/// One user's ratings: items ascending, duplicates resolved to the last value (the dense R).
struct RatingRow {
  std::vector<std::int32_t> items;
  std::vector<double> values;
};
RatingRow ratingRowOf(const UserContext& user);

/// Similarities of an outside row (`row`, e.g. a folded-in user) to every row of `rows`, except
/// `skipRow`, in neighbour order and truncated to settings.maxStoredNeighbors when set.
void neighborsOfRow(const RatingRow& row, const SparseRows& rows, const SparseRows& columns,
                    Similarity kind, const Settings& settings, std::int32_t skipRow,
                    std::vector<std::int32_t>& ids, std::vector<double>& sims);

}  // namespace recwasm::knn
