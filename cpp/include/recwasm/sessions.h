// Sessions (view sequences for co-visitation) derived from interaction timestamps.
#pragma once

#include <cstdint>
#include <vector>

#include "recwasm/interactions.h"

namespace recwasm {

/// Each user's rows ordered by timestamp (table order among equal timestamps), cut into a new
/// session wherever consecutive events are more than `gapSeconds` apart. Sessions are listed by
/// user (ascending), then by time; each holds dense item ids in event order.
/// kInvalidArgument when the interactions have no timestamps or `gapSeconds` is negative.
std::vector<std::vector<std::int32_t>> sessionsFromTimestamps(const Interactions& data,
                                                              std::int64_t gapSeconds);

}  // namespace recwasm
