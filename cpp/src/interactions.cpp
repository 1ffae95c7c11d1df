#include "recwasm/interactions.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "recwasm/cold.h"
#include "recwasm/error.h"

namespace recwasm {

namespace {

void requireExternalIdInRange(ExternalId id, const char* what) {
  if (id > kMaxExternalId || id < -kMaxExternalId) {
    fail(ErrorCode::kInvalidArgument, std::string(what) + " id " + std::to_string(id) +
                                          " is beyond the 53-bit range JavaScript represents");
  }
}

// Counting sort of `keyOfRow` into CSR order; rows keep their relative order (stable).
SparseRows groupRows(const std::vector<std::int32_t>& keyOfRow, std::int32_t numKeys) {
  SparseRows out;
  out.offsets.assign(static_cast<std::size_t>(numKeys) + 1, 0);
  for (std::int32_t k : keyOfRow) ++out.offsets[static_cast<std::size_t>(k) + 1];
  for (std::size_t k = 0; k < static_cast<std::size_t>(numKeys); ++k) {
    out.offsets[k + 1] += out.offsets[k];
  }
  out.indices.resize(keyOfRow.size());
  std::vector<std::int32_t> next(out.offsets.begin(), out.offsets.end() - 1);
  for (std::size_t row = 0; row < keyOfRow.size(); ++row) {
    out.indices[static_cast<std::size_t>(next[static_cast<std::size_t>(keyOfRow[row])]++)] =
        static_cast<std::int32_t>(row);
  }
  return out;
}

// Dense ids of `ids` (one per row) over the catalogue of `ids` and `extra`, ascending.
struct DenseIds {
  std::shared_ptr<IdMap> map;
  std::vector<std::int32_t> ofRow;
};

DenseIds denseIds(const std::vector<ExternalId>& ids, const std::vector<ExternalId>& extra) {
  DenseIds out;
  if (ids.empty() && extra.empty()) {
    out.map = std::make_shared<IdMap>();
    return out;
  }
  ExternalId low = kMaxExternalId, high = -kMaxExternalId;
  for (const auto* list : {&ids, &extra}) {
    for (ExternalId id : *list) {
      low = std::min(low, id);
      high = std::max(high, id);
    }
  }
  // Ids in a compact range (MovieLens user and movie ids) take a lookup table instead of a sort
  // and a binary search per row: linear time, which matters for loading 100k-row files.
  const auto range = static_cast<std::uint64_t>(high - low) + 1;
  const std::uint64_t budget = 4 * static_cast<std::uint64_t>(ids.size() + extra.size()) + 65536;
  if (range > budget) {
    out.map = std::make_shared<IdMap>(IdMap::fromUnsorted(ids, extra));
    out.ofRow.reserve(ids.size());
    for (ExternalId id : ids) out.ofRow.push_back(*out.map->dense(id));
    return out;
  }
  std::vector<std::int32_t> slot(static_cast<std::size_t>(range), -1);
  for (const auto* list : {&ids, &extra}) {
    for (ExternalId id : *list) slot[static_cast<std::size_t>(id - low)] = 0;
  }
  std::vector<ExternalId> sorted;
  for (std::size_t i = 0; i < slot.size(); ++i) {
    if (slot[i] < 0) continue;
    if (sorted.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      fail(ErrorCode::kInvalidArgument, "more than 2^31 - 1 distinct ids");
    }
    slot[i] = static_cast<std::int32_t>(sorted.size());
    sorted.push_back(low + static_cast<ExternalId>(i));
  }
  out.map = std::make_shared<IdMap>(std::move(sorted));
  out.ofRow.reserve(ids.size());
  for (ExternalId id : ids) out.ofRow.push_back(slot[static_cast<std::size_t>(id - low)]);
  return out;
}

}  // namespace

IdMap::IdMap(std::vector<ExternalId> ids) : ids_(std::move(ids)) {
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    requireExternalIdInRange(ids_[i], "an");
    if (i > 0 && ids_[i] <= ids_[i - 1]) {
      fail(ErrorCode::kInvalidArgument, "id map must be strictly ascending");
    }
  }
  consecutive_ =
      ids_.empty() || ids_.back() - ids_.front() == static_cast<ExternalId>(ids_.size() - 1);
}

IdMap IdMap::identity(std::int32_t n) {
  require(n >= 0, "catalogue size must not be negative");
  std::vector<ExternalId> ids(static_cast<std::size_t>(n));
  for (std::int32_t i = 0; i < n; ++i) ids[static_cast<std::size_t>(i)] = i;
  return IdMap(std::move(ids));
}

IdMap IdMap::fromUnsorted(std::vector<ExternalId> ids, const std::vector<ExternalId>& extra) {
  ids.insert(ids.end(), extra.begin(), extra.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    fail(ErrorCode::kInvalidArgument, "more than 2^31 - 1 distinct ids");
  }
  return IdMap(std::move(ids));
}

std::optional<std::int32_t> IdMap::dense(ExternalId external) const {
  if (consecutive_) {
    if (ids_.empty() || external < ids_.front() || external > ids_.back()) return std::nullopt;
    return static_cast<std::int32_t>(external - ids_.front());
  }
  auto it = std::lower_bound(ids_.begin(), ids_.end(), external);
  if (it == ids_.end() || *it != external) return std::nullopt;
  return static_cast<std::int32_t>(it - ids_.begin());
}

namespace {

// "row R<what>[<index><after>]" as INVALID_ARGUMENT. Out of line and optimised for size: built
// only for bad rows, and inlined the messages doubled the size of the validating loop.
[[noreturn]] [[gnu::noinline]] RECWASM_COLD void failRow(std::size_t row, const char* what,
                                                         std::int32_t index = 0,
                                                         const char* after = nullptr) {
  std::string message = "row " + std::to_string(row) + what;
  if (after) message += std::to_string(index) + after;
  fail(ErrorCode::kInvalidArgument, message);
}

}  // namespace

Interactions::Interactions()
    : users_(std::make_shared<IdMap>()), items_(std::make_shared<IdMap>()) {
  buildViews();
}

Interactions::Interactions(std::shared_ptr<const IdMap> users, std::shared_ptr<const IdMap> items,
                           std::vector<std::int32_t> userOfRow, std::vector<std::int32_t> itemOfRow,
                           std::vector<double> values, std::vector<std::int64_t> timestamps)
    : users_(std::move(users)),
      items_(std::move(items)),
      userOfRow_(std::move(userOfRow)),
      itemOfRow_(std::move(itemOfRow)),
      values_(std::move(values)),
      timestamps_(std::move(timestamps)) {
  require(users_ && items_, "interactions need user and item catalogues");
  require(itemOfRow_.size() == userOfRow_.size() && values_.size() == userOfRow_.size(),
          "users, items and values must have the same length");
  require(timestamps_.empty() || timestamps_.size() == userOfRow_.size(),
          "timestamps must be absent or one per row");
  require(userOfRow_.size() <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
          "more than 2^31 - 1 rows");
  for (std::size_t row = 0; row < userOfRow_.size(); ++row) {
    if (userOfRow_[row] < 0 || userOfRow_[row] >= users_->size()) {
      failRow(row, ": user index ", userOfRow_[row], " out of range");
    }
    if (itemOfRow_[row] < 0 || itemOfRow_[row] >= items_->size()) {
      failRow(row, ": item index ", itemOfRow_[row], " out of range");
    }
    if (!std::isfinite(values_[row])) failRow(row, ": value is not a finite number");
    if (std::fabs(values_[row]) > kMaxValueMagnitude) failRow(row, ": value lies beyond +-1e9");
  }
  buildViews();
}

Interactions Interactions::fromExternal(const std::vector<ExternalId>& users,
                                        const std::vector<ExternalId>& items,
                                        std::vector<double> values,
                                        std::vector<std::int64_t> timestamps,
                                        const std::vector<ExternalId>& extraItems) {
  require(items.size() == users.size(), "users and items must have the same length");
  for (ExternalId id : users) requireExternalIdInRange(id, "user");
  for (ExternalId id : items) requireExternalIdInRange(id, "item");
  for (ExternalId id : extraItems) requireExternalIdInRange(id, "item");
  DenseIds denseUsers = denseIds(users, {});
  DenseIds denseItems = denseIds(items, extraItems);
  return Interactions(std::move(denseUsers.map), std::move(denseItems.map),
                      std::move(denseUsers.ofRow), std::move(denseItems.ofRow), std::move(values),
                      std::move(timestamps));
}

Interactions Interactions::selectRows(const std::vector<std::size_t>& rows) const {
  std::vector<std::int32_t> users(rows.size());
  std::vector<std::int32_t> items(rows.size());
  std::vector<double> values(rows.size());
  std::vector<std::int64_t> timestamps(hasTimestamps() ? rows.size() : 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    require(rows[i] < numRows(), "row selection out of range");
    users[i] = userOfRow_[rows[i]];
    items[i] = itemOfRow_[rows[i]];
    values[i] = values_[rows[i]];
    if (hasTimestamps()) timestamps[i] = timestamps_[rows[i]];
  }
  return Interactions(users_, items_, std::move(users), std::move(items), std::move(values),
                      std::move(timestamps));
}

std::vector<std::int32_t> Interactions::historyOf(std::int32_t u) const {
  std::vector<std::int32_t> items;
  for (std::int32_t row : rowsOfUser(u)) items.push_back(itemOfRow_[static_cast<std::size_t>(row)]);
  return items;
}

void Interactions::buildViews() {
  userRows_ = groupRows(userOfRow_, numUsers());

  // users x items: per user, the rows sorted by item (stable), keeping the last of equal items.
  byUser_ = SparseRows{};
  byUser_.offsets.assign(static_cast<std::size_t>(numUsers()) + 1, 0);
  std::vector<std::int32_t> order;
  for (std::int32_t u = 0; u < numUsers(); ++u) {
    Span<std::int32_t> rows = rowsOfUser(u);
    order.assign(rows.begin(), rows.end());
    std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
      return itemOfRow_[static_cast<std::size_t>(a)] < itemOfRow_[static_cast<std::size_t>(b)];
    });
    for (std::size_t k = 0; k < order.size(); ++k) {
      auto row = static_cast<std::size_t>(order[k]);
      bool lastOfItem = k + 1 == order.size() ||
                        itemOfRow_[static_cast<std::size_t>(order[k + 1])] != itemOfRow_[row];
      if (!lastOfItem) continue;
      byUser_.indices.push_back(itemOfRow_[row]);
      byUser_.values.push_back(values_[row]);
    }
    byUser_.offsets[static_cast<std::size_t>(u) + 1] =
        static_cast<std::int32_t>(byUser_.indices.size());
  }

  // Transpose; users come out ascending within each item because we walk users in order.
  byItem_ = SparseRows{};
  byItem_.offsets.assign(static_cast<std::size_t>(numItems()) + 1, 0);
  for (std::int32_t i : byUser_.indices) ++byItem_.offsets[static_cast<std::size_t>(i) + 1];
  for (std::size_t i = 0; i < static_cast<std::size_t>(numItems()); ++i) {
    byItem_.offsets[i + 1] += byItem_.offsets[i];
  }
  byItem_.indices.resize(byUser_.indices.size());
  byItem_.values.resize(byUser_.values.size());
  std::vector<std::int32_t> next(byItem_.offsets.begin(), byItem_.offsets.end() - 1);
  for (std::int32_t u = 0; u < numUsers(); ++u) {
    for (std::int32_t k = byUser_.offsets[static_cast<std::size_t>(u)];
         k < byUser_.offsets[static_cast<std::size_t>(u) + 1]; ++k) {
      auto item = static_cast<std::size_t>(byUser_.indices[static_cast<std::size_t>(k)]);
      auto slot = static_cast<std::size_t>(next[item]++);
      byItem_.indices[slot] = u;
      byItem_.values[slot] = byUser_.values[static_cast<std::size_t>(k)];
    }
  }
}

}  // namespace recwasm
