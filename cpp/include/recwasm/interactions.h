// The interaction table every model trains on: (user, item, value[, timestamp]) rows with the
// caller's external ids mapped to dense 0-based ids, and the sparse views models need.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "recwasm/span.h"

namespace recwasm {

/// The caller's id for a user or an item. Any integer JavaScript represents exactly
/// (|id| <= 2^53 - 1), so ids survive the trip through TypeScript numbers.
using ExternalId = std::int64_t;
constexpr ExternalId kMaxExternalId = (ExternalId{1} << 53) - 1;

/// The largest magnitude of a value (rating, weight, history value) recwasm accepts. Far beyond
/// any rating or count, and small enough that the sums of squares the models form over any table
/// stay finite, in double and in float32 alike, so that no input can turn scores into NaN.
constexpr double kMaxValueMagnitude = 1e9;

/// Dense <-> external ids. Dense ids follow ascending external ids, so "ties go to the lower
/// item id" means the same thing for dense and external ids.
class IdMap {
 public:
  IdMap() = default;
  /// `ids` must be strictly ascending and within +-kMaxExternalId (kInvalidArgument otherwise).
  explicit IdMap(std::vector<ExternalId> ids);
  /// The ids 0..n-1 (generated data, where external and dense ids coincide).
  static IdMap identity(std::int32_t n);
  /// Sorted, de-duplicated union of `ids` and `extra`.
  static IdMap fromUnsorted(std::vector<ExternalId> ids, const std::vector<ExternalId>& extra = {});

  std::int32_t size() const { return static_cast<std::int32_t>(ids_.size()); }
  ExternalId external(std::int32_t dense) const { return ids_[static_cast<std::size_t>(dense)]; }
  std::optional<std::int32_t> dense(ExternalId external) const;
  const std::vector<ExternalId>& externalIds() const { return ids_; }

 private:
  std::vector<ExternalId> ids_;
  // ids_[i] == ids_[0] + i for all i (generated data from 0, MovieLens users from 1): lookups
  // subtract instead of searching.
  bool consecutive_ = true;
};

/// Compressed sparse rows: row r holds indices[offsets[r] .. offsets[r+1]) and the same values.
struct SparseRows {
  std::vector<std::int32_t> offsets{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;

  std::int32_t rows() const { return static_cast<std::int32_t>(offsets.size()) - 1; }
  std::size_t nonZeros() const { return indices.size(); }
  Span<std::int32_t> indicesOf(std::int32_t r) const {
    return {indices.data() + offsets[r], static_cast<std::size_t>(offsets[r + 1] - offsets[r])};
  }
  Span<double> valuesOf(std::int32_t r) const {
    return {values.data() + offsets[r], static_cast<std::size_t>(offsets[r + 1] - offsets[r])};
  }
};

/// Rows in the caller's order plus the views models need, all built once at construction.
///
/// Duplicate (user, item) rows are kept as rows (popularity counts every row, a history lists
/// every row), while the rating matrices keep the last row's value, as the notebook's dense
/// matrix `R[u, i] = r` does when it is filled in row order.
class Interactions {
 public:
  Interactions();  ///< empty, with empty catalogues

  /// Rows in dense ids. `timestamps` is empty or one per row. Validates every row: ids inside
  /// the maps and finite values within +-kMaxValueMagnitude (kInvalidArgument naming the first
  /// bad row).
  Interactions(std::shared_ptr<const IdMap> users, std::shared_ptr<const IdMap> items,
               std::vector<std::int32_t> userOfRow, std::vector<std::int32_t> itemOfRow,
               std::vector<double> values, std::vector<std::int64_t> timestamps = {});

  /// Rows in external ids; the catalogues are the ids that occur plus `extraItems` (e.g. movies
  /// that nobody rated), each in ascending order.
  static Interactions fromExternal(const std::vector<ExternalId>& users,
                                   const std::vector<ExternalId>& items, std::vector<double> values,
                                   std::vector<std::int64_t> timestamps = {},
                                   const std::vector<ExternalId>& extraItems = {});

  /// The given rows, in the given order, over the same catalogues (splits use this).
  Interactions selectRows(const std::vector<std::size_t>& rows) const;

  std::int32_t numUsers() const { return users_->size(); }
  std::int32_t numItems() const { return items_->size(); }
  std::size_t numRows() const { return userOfRow_.size(); }
  bool hasTimestamps() const { return !timestamps_.empty(); }

  const IdMap& users() const { return *users_; }
  const IdMap& items() const { return *items_; }
  const std::shared_ptr<const IdMap>& sharedUsers() const { return users_; }
  const std::shared_ptr<const IdMap>& sharedItems() const { return items_; }

  const std::vector<std::int32_t>& userOfRow() const { return userOfRow_; }
  const std::vector<std::int32_t>& itemOfRow() const { return itemOfRow_; }
  const std::vector<double>& values() const { return values_; }
  const std::vector<std::int64_t>& timestamps() const { return timestamps_; }

  /// Row numbers of user `u` in table order (the user's history, duplicates included).
  Span<std::int32_t> rowsOfUser(std::int32_t u) const { return userRows_.indicesOf(u); }
  /// Items of user `u` in table order (duplicates included).
  std::vector<std::int32_t> historyOf(std::int32_t u) const;

  /// users x items, columns ascending, duplicates resolved to the last row's value.
  const SparseRows& userItemRatings() const { return byUser_; }
  /// items x users, the transpose of userItemRatings().
  const SparseRows& itemUserRatings() const { return byItem_; }

 private:
  void buildViews();

  std::shared_ptr<const IdMap> users_;
  std::shared_ptr<const IdMap> items_;
  std::vector<std::int32_t> userOfRow_;
  std::vector<std::int32_t> itemOfRow_;
  std::vector<double> values_;
  std::vector<std::int64_t> timestamps_;
  SparseRows userRows_;  // indices = row numbers, values unused
  SparseRows byUser_;
  SparseRows byItem_;
};

/// Everything a model may train on. Item text and sessions are shared, not split: the notebook
/// fits content on every item's description and co-visitation on every session.
struct Dataset {
  /// Shared so that every model trained on the same data references one table.
  std::shared_ptr<const Interactions> interactions;
  /// One text per dense item id (may be empty strings), or null when the data has no text.
  std::shared_ptr<const std::vector<std::string>> itemText;
  /// Sessions of dense item ids in view order, or null when the data has none.
  std::shared_ptr<const std::vector<std::vector<std::int32_t>>> sessions;
  /// Set when `sessions` were cut from the interactions' timestamps at this gap (MovieLens):
  /// a split then rebuilds each part's sessions from that part's rows, so training sessions never
  /// hold test events. Unset: the sessions are data of their own (the notebook's) and both parts
  /// of a split share them, as the notebook does.
  std::optional<std::int64_t> sessionGapSeconds;
};

}  // namespace recwasm
