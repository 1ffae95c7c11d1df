// IdMap lookups: a binary search in general, a subtraction when the ids are consecutive. Both
// must agree with a plain scan of the ids, including ids just outside and far outside the range.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "recwasm/interactions.h"

using recwasm::ExternalId;
using recwasm::IdMap;

namespace {

std::optional<std::int32_t> scanned(const std::vector<ExternalId>& ids, ExternalId id) {
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) return std::nullopt;
  return static_cast<std::int32_t>(it - ids.begin());
}

}  // namespace

TEST_CASE("id maps find every id, consecutive or not, and nothing else", "[data]") {
  const std::vector<std::vector<ExternalId>> catalogues = {
      {},
      {7},
      {0, 1, 2, 3},        // identity
      {1, 2, 3, 4, 5},     // MovieLens users: consecutive from 1
      {-3, -2, -1, 0, 1},  // consecutive through 0
      {1, 2, 4, 5},        // one gap
      {0, 2, 3},           // identity but for a gap
      {recwasm::kMaxExternalId - 1, recwasm::kMaxExternalId},
      {-recwasm::kMaxExternalId, -recwasm::kMaxExternalId + 1},
  };
  for (const auto& ids : catalogues) {
    INFO("ids of size " << ids.size() << (ids.empty() ? "" : " from " + std::to_string(ids[0])));
    const IdMap map(ids);
    std::vector<ExternalId> probes = {0,
                                      -1,
                                      1,
                                      3,
                                      6,
                                      8,
                                      std::numeric_limits<ExternalId>::max(),
                                      std::numeric_limits<ExternalId>::min()};
    for (ExternalId id : ids) {
      probes.insert(probes.end(), {id - 1, id, id + 1});
    }
    for (ExternalId probe : probes) {
      INFO("probe " << probe);
      CHECK(map.dense(probe) == scanned(ids, probe));
    }
    for (std::int32_t dense = 0; dense < map.size(); ++dense) {
      CHECK(map.external(dense) == ids[static_cast<std::size_t>(dense)]);
    }
  }
}
