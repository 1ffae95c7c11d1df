#include "knn_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "recwasm/error.h"
#include "recwasm/numpy_sum.h"

namespace recwasm::knn {

OptionMap readSettings(const OptionMap& given, const char* kind, int defaultNeighbors,
                       Settings& out) {
  OptionReader reader(given, kind);
  out.neighbors = reader.integer("neighbors", defaultNeighbors, 1, 1000000);
  out.minOverlap = reader.integer("minOverlap", 2, 1, 1000000);
  out.shrinkage = reader.number("shrinkage", 0.0, 0.0, 1e12);
  out.implicit = reader.flag("implicit", false);
  out.maxStoredNeighbors = reader.integer("maxStoredNeighbors", 0, 0, 1000000000);
  reader.finish();
  return reader.resolved();
}

void requireTrainable(const Dataset& data, const char* kind) {
  if (data.interactions->numRows() == 0) {
    fail(ErrorCode::kInvalidArgument, std::string(kind) + " needs at least one rating to train on");
  }
}

double pairSimilarity(Similarity kind, const double* x, const double* y, std::size_t n,
                      std::size_t degreeA, std::size_t degreeB, double shrinkage,
                      std::vector<double>& scratch) {
  double s = 0.0;
  switch (kind) {
    case Similarity::kBinary:
      s = static_cast<double>(n) /
          (std::sqrt(static_cast<double>(degreeA)) * std::sqrt(static_cast<double>(degreeB)));
      break;
    case Similarity::kCosine: {
      double denom = std::sqrt(numpyDot(x, x, n)) * std::sqrt(numpyDot(y, y, n));
      if (denom == 0) return 0.0;
      s = numpyDot(x, y, n) / denom;
      break;
    }
    case Similarity::kPearson: {
      // x - x.mean(), y - y.mean() over the overlap, then the cosine of the centred vectors.
      double meanX = numpySum(x, n) / static_cast<double>(n);
      double meanY = numpySum(y, n) / static_cast<double>(n);
      scratch.resize(2 * n);
      double* dx = scratch.data();
      double* dy = dx + n;
      for (std::size_t k = 0; k < n; ++k) {
        dx[k] = x[k] - meanX;
        dy[k] = y[k] - meanY;
      }
      double denom = std::sqrt(numpyDot(dx, dx, n)) * std::sqrt(numpyDot(dy, dy, n));
      if (denom == 0) return 0.0;
      s = numpyDot(dx, dy, n) / denom;
      break;
    }
  }
  if (shrinkage > 0) s = s * (static_cast<double>(n) / (static_cast<double>(n) + shrinkage));
  return s;
}

std::size_t NeighborLists::bytes() const {
  return offsets.size() * sizeof(std::uint32_t) + ids.size() * sizeof(std::int32_t) +
         sims.size() * sizeof(double);
}

namespace {

struct Entry {
  double absSim;
  double sim;
  std::int32_t id;
};

bool entryBefore(const Entry& a, const Entry& b) {
  return a.absSim > b.absSim || (a.absSim == b.absSim && a.id < b.id);
}

[[noreturn]] void tooManyPairs() {
  fail(ErrorCode::kOutOfMemory,
       "kNN similarity store exceeds 2^32 entries; set maxStoredNeighbors to bound it");
}

// Keeps, per row, either every emitted pair or the maxStored strongest (a bounded heap whose top
// is the weakest kept entry).
class PairSink {
 public:
  PairSink(std::int32_t rows, int maxStored)
      : rows_(rows), maxStored_(static_cast<std::size_t>(maxStored)) {
    if (maxStored_ > 0) {
      heaps_.resize(static_cast<std::size_t>(rows));
    } else {
      upperOffsets_.assign(static_cast<std::size_t>(rows) + 1, 0);
      degree_.assign(static_cast<std::size_t>(rows), 0);
    }
  }

  /// Pairs of row a (with b > a) are emitted while a is current; rows are visited ascending.
  void emit(std::int32_t a, std::int32_t b, double sim) {
    if (maxStored_ > 0) {
      push(a, {std::fabs(sim), sim, b});
      push(b, {std::fabs(sim), sim, a});
      return;
    }
    upperIds_.push_back(b);
    upperSims_.push_back(sim);
    ++degree_[static_cast<std::size_t>(a)];
    ++degree_[static_cast<std::size_t>(b)];
  }
  void endRow(std::int32_t a) {
    if (maxStored_ == 0) {
      upperOffsets_[static_cast<std::size_t>(a) + 1] = upperIds_.size();
    }
  }

  NeighborLists finish() {
    NeighborLists out;
    out.offsets.assign(static_cast<std::size_t>(rows_) + 1, 0);
    std::vector<Entry> row;
    if (maxStored_ > 0) {
      std::size_t total = 0;
      for (const auto& heap : heaps_) total += heap.size();
      if (total > std::numeric_limits<std::uint32_t>::max()) tooManyPairs();
      out.ids.reserve(total);
      out.sims.reserve(total);
      for (std::size_t r = 0; r < heaps_.size(); ++r) {
        std::sort_heap(heaps_[r].begin(), heaps_[r].end(), entryBefore);
        for (const Entry& e : heaps_[r]) {
          out.ids.push_back(e.id);
          out.sims.push_back(e.sim);
        }
        std::vector<Entry>().swap(heaps_[r]);
        out.offsets[r + 1] = static_cast<std::uint32_t>(out.ids.size());
      }
      return out;
    }
    std::size_t total = 0;
    for (std::size_t r = 0; r < degree_.size(); ++r) {
      total += degree_[r];
      if (total > std::numeric_limits<std::uint32_t>::max()) tooManyPairs();
      out.offsets[r + 1] = static_cast<std::uint32_t>(total);
    }
    out.ids.resize(total);
    out.sims.resize(total);
    std::vector<std::uint32_t> next(out.offsets.begin(), out.offsets.end() - 1);
    for (std::int32_t a = 0; a < rows_; ++a) {
      for (std::size_t e = upperOffsets_[static_cast<std::size_t>(a)];
           e < upperOffsets_[static_cast<std::size_t>(a) + 1]; ++e) {
        std::int32_t b = upperIds_[e];
        std::uint32_t& slotA = next[static_cast<std::size_t>(a)];
        out.ids[slotA] = b;
        out.sims[slotA++] = upperSims_[e];
        std::uint32_t& slotB = next[static_cast<std::size_t>(b)];
        out.ids[slotB] = a;
        out.sims[slotB++] = upperSims_[e];
      }
    }
    std::vector<std::int32_t>().swap(upperIds_);
    std::vector<double>().swap(upperSims_);
    for (std::int32_t r = 0; r < rows_; ++r) {
      std::size_t begin = out.begin(r);
      std::size_t end = out.end(r);
      row.clear();
      for (std::size_t e = begin; e < end; ++e) {
        row.push_back({std::fabs(out.sims[e]), out.sims[e], out.ids[e]});
      }
      std::sort(row.begin(), row.end(), entryBefore);
      for (std::size_t e = begin; e < end; ++e) {
        out.ids[e] = row[e - begin].id;
        out.sims[e] = row[e - begin].sim;
      }
    }
    return out;
  }

 private:
  void push(std::int32_t row, const Entry& e) {
    std::vector<Entry>& heap = heaps_[static_cast<std::size_t>(row)];
    if (heap.size() < maxStored_) {
      heap.push_back(e);
      std::push_heap(heap.begin(), heap.end(), entryBefore);
    } else if (entryBefore(e, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), entryBefore);
      heap.back() = e;
      std::push_heap(heap.begin(), heap.end(), entryBefore);
    }
  }

  std::int32_t rows_;
  std::size_t maxStored_;
  std::vector<std::vector<Entry>> heaps_;
  std::vector<std::size_t> upperOffsets_;
  std::vector<std::int32_t> upperIds_;
  std::vector<double> upperSims_;
  std::vector<std::size_t> degree_;
};

std::size_t degreeOf(const SparseRows& rows, std::int32_t r) {
  return static_cast<std::size_t>(rows.offsets[static_cast<std::size_t>(r) + 1] -
                                  rows.offsets[static_cast<std::size_t>(r)]);
}

}  // namespace

NeighborLists buildNeighborLists(const SparseRows& rows, const SparseRows& columns, Similarity kind,
                                 const Settings& settings) {
  const std::int32_t numRows = rows.rows();
  const bool gather = kind != Similarity::kBinary;
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  PairSink sink(numRows, settings.maxStoredNeighbors);

  // cursor[c]: where the current row sits in column c's (ascending) list of rows.
  std::vector<std::int32_t> cursor(columns.offsets.begin(), columns.offsets.end() - 1);
  std::vector<std::int32_t> count(static_cast<std::size_t>(numRows), 0);
  std::vector<std::int32_t> next(static_cast<std::size_t>(numRows), -1);
  std::vector<std::int32_t> touched;
  std::vector<std::int32_t> after;
  std::vector<double> bufX;
  std::vector<double> bufY;
  std::vector<double> scratch;

  for (std::int32_t a = 0; a < numRows; ++a) {
    Span<std::int32_t> cols = rows.indicesOf(a);
    Span<double> vals = rows.valuesOf(a);
    after.resize(cols.size());
    touched.clear();
    for (std::size_t k = 0; k < cols.size(); ++k) {
      auto c = static_cast<std::size_t>(cols[k]);
      std::int32_t first = ++cursor[c];  // rows after a in column c
      after[k] = first;
      for (std::int32_t q = first; q < columns.offsets[c + 1]; ++q) {
        std::int32_t b = columns.indices[static_cast<std::size_t>(q)];
        if (count[static_cast<std::size_t>(b)]++ == 0) touched.push_back(b);
      }
    }
    if (gather) {
      std::int32_t total = 0;
      for (std::int32_t b : touched) {
        auto bi = static_cast<std::size_t>(b);
        if (count[bi] >= minOverlap) {
          next[bi] = total;
          total += count[bi];
        } else {
          next[bi] = -1;
        }
      }
      bufX.resize(static_cast<std::size_t>(total));
      bufY.resize(static_cast<std::size_t>(total));
      for (std::size_t k = 0; k < cols.size(); ++k) {
        auto c = static_cast<std::size_t>(cols[k]);
        double x = vals[k];
        for (std::int32_t q = after[k]; q < columns.offsets[c + 1]; ++q) {
          auto b = static_cast<std::size_t>(columns.indices[static_cast<std::size_t>(q)]);
          std::int32_t slot = next[b];
          if (slot < 0) continue;
          bufX[static_cast<std::size_t>(slot)] = x;
          bufY[static_cast<std::size_t>(slot)] = columns.values[static_cast<std::size_t>(q)];
          next[b] = slot + 1;
        }
      }
    }
    for (std::int32_t b : touched) {
      auto bi = static_cast<std::size_t>(b);
      std::int32_t n = count[bi];
      count[bi] = 0;
      if (n < minOverlap) continue;
      std::size_t start = gather ? static_cast<std::size_t>(next[bi] - n) : 0;
      double sim = pairSimilarity(kind, bufX.data() + start, bufY.data() + start,
                                  static_cast<std::size_t>(n), cols.size(), degreeOf(rows, b),
                                  settings.shrinkage, scratch);
      if (sim != 0.0) sink.emit(a, b, sim);
    }
    sink.endRow(a);
  }
  return sink.finish();
}

RatingRow ratingRowOf(const UserContext& user) {
  std::vector<std::size_t> order(user.items.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return user.items[a] < user.items[b]; });
  RatingRow row;
  for (std::size_t k = 0; k < order.size(); ++k) {
    bool lastOfItem = k + 1 == order.size() || user.items[order[k + 1]] != user.items[order[k]];
    if (!lastOfItem) continue;
    row.items.push_back(user.items[order[k]]);
    row.values.push_back(user.values[order[k]]);
  }
  return row;
}

void neighborsOfRow(const RatingRow& row, const SparseRows& rows, const SparseRows& columns,
                    Similarity kind, const Settings& settings, std::int32_t skipRow,
                    std::vector<std::int32_t>& ids, std::vector<double>& sims) {
  const std::int32_t numRows = rows.rows();
  const bool gather = kind != Similarity::kBinary;
  const auto minOverlap = static_cast<std::int32_t>(settings.minOverlap);
  std::vector<std::int32_t> count(static_cast<std::size_t>(numRows), 0);
  std::vector<std::int32_t> next(static_cast<std::size_t>(numRows), -1);
  std::vector<std::int32_t> touched;
  for (std::int32_t c : row.items) {
    for (std::int32_t b : columns.indicesOf(c)) {
      if (b == skipRow) continue;
      if (count[static_cast<std::size_t>(b)]++ == 0) touched.push_back(b);
    }
  }
  std::vector<double> bufX;
  std::vector<double> bufY;
  if (gather) {
    std::int32_t total = 0;
    for (std::int32_t b : touched) {
      auto bi = static_cast<std::size_t>(b);
      next[bi] = count[bi] >= minOverlap ? total : -1;
      if (count[bi] >= minOverlap) total += count[bi];
    }
    bufX.resize(static_cast<std::size_t>(total));
    bufY.resize(static_cast<std::size_t>(total));
    for (std::size_t k = 0; k < row.items.size(); ++k) {
      Span<std::int32_t> bs = columns.indicesOf(row.items[k]);
      Span<double> ys = columns.valuesOf(row.items[k]);
      for (std::size_t q = 0; q < bs.size(); ++q) {
        if (bs[q] == skipRow) continue;
        auto bi = static_cast<std::size_t>(bs[q]);
        if (next[bi] < 0) continue;
        bufX[static_cast<std::size_t>(next[bi])] = row.values[k];
        bufY[static_cast<std::size_t>(next[bi])] = ys[q];
        ++next[bi];
      }
    }
  }
  std::vector<Entry> found;
  std::vector<double> scratch;
  for (std::int32_t b : touched) {
    auto bi = static_cast<std::size_t>(b);
    std::int32_t n = count[bi];
    if (n < minOverlap) continue;
    std::size_t start = gather ? static_cast<std::size_t>(next[bi] - n) : 0;
    double sim =
        pairSimilarity(kind, bufX.data() + start, bufY.data() + start, static_cast<std::size_t>(n),
                       row.items.size(), degreeOf(rows, b), settings.shrinkage, scratch);
    if (sim != 0.0) found.push_back({std::fabs(sim), sim, b});
  }
  std::sort(found.begin(), found.end(), entryBefore);
  if (settings.maxStoredNeighbors > 0 &&
      found.size() > static_cast<std::size_t>(settings.maxStoredNeighbors)) {
    found.resize(static_cast<std::size_t>(settings.maxStoredNeighbors));
  }
  ids.clear();
  sims.clear();
  for (const Entry& e : found) {
    ids.push_back(e.id);
    sims.push_back(e.sim);
  }
}

}  // namespace recwasm::knn
