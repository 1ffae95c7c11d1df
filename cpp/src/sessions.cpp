#include "recwasm/sessions.h"

#include <algorithm>

#include "recwasm/error.h"

namespace recwasm {

std::vector<std::vector<std::int32_t>> sessionsFromTimestamps(const Interactions& data,
                                                              std::int64_t gapSeconds) {
  require(data.hasTimestamps(), "sessions from timestamps need interactions with timestamps");
  require(gapSeconds >= 0, "the session gap must not be negative");
  const std::vector<std::int64_t>& time = data.timestamps();
  std::vector<std::vector<std::int32_t>> sessions;
  // (timestamp, row) pairs: sorting them orders by time and keeps table order among ties (rows
  // of a user ascend in table order), with contiguous keys instead of indirect comparisons.
  std::vector<std::pair<std::int64_t, std::int32_t>> events;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    events.clear();
    for (std::int32_t row : data.rowsOfUser(u)) {
      events.emplace_back(time[static_cast<std::size_t>(row)], row);
    }
    std::sort(events.begin(), events.end());
    for (std::size_t k = 0; k < events.size(); ++k) {
      // Sorted, so the difference is non-negative; unsigned arithmetic keeps it exact for any
      // pair of 64-bit timestamps.
      std::uint64_t gap = k == 0 ? 0
                                 : static_cast<std::uint64_t>(events[k].first) -
                                       static_cast<std::uint64_t>(events[k - 1].first);
      if (k == 0 || gap > static_cast<std::uint64_t>(gapSeconds)) sessions.emplace_back();
      sessions.back().push_back(data.itemOfRow()[static_cast<std::size_t>(events[k].second)]);
    }
  }
  return sessions;
}

}  // namespace recwasm
