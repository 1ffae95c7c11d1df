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
  std::vector<std::int32_t> order;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> rows = data.rowsOfUser(u);
    order.assign(rows.begin(), rows.end());
    std::stable_sort(order.begin(), order.end(), [&time](std::int32_t a, std::int32_t b) {
      return time[static_cast<std::size_t>(a)] < time[static_cast<std::size_t>(b)];
    });
    for (std::size_t k = 0; k < order.size(); ++k) {
      auto row = static_cast<std::size_t>(order[k]);
      // Sorted, so the difference is non-negative; unsigned arithmetic keeps it exact for any
      // pair of 64-bit timestamps.
      std::uint64_t gap =
          k == 0 ? 0
                 : static_cast<std::uint64_t>(time[row]) -
                       static_cast<std::uint64_t>(time[static_cast<std::size_t>(order[k - 1])]);
      if (k == 0 || gap > static_cast<std::uint64_t>(gapSeconds)) {
        sessions.emplace_back();
      }
      sessions.back().push_back(data.itemOfRow()[row]);
    }
  }
  return sessions;
}

}  // namespace recwasm
