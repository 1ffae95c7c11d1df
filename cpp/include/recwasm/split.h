// Train/test splits. The default is the notebook's leave-one-out, reproduced bit for bit.
#pragma once

#include <cstdint>
#include <string_view>

#include "recwasm/interactions.h"

namespace recwasm {

struct TrainTestSplit {
  Interactions train;
  Interactions test;
};

/// The notebook's `leave_last_one_out_split`: users ascending; each user's rows (table order)
/// are permuted by a fresh `RandomState(seed).permutation(n)` (pandas `sample(frac=1,
/// random_state=seed)`), the last one goes to test and the others, in permuted order, to train.
/// A user with a single row therefore has it in test and nothing in train (the notebook's rule,
/// as pandas gives it; models then use their cold-start fallback for that user).
TrainTestSplit leaveOneOutSplit(const Interactions& data, std::uint32_t seed = 42);

/// Leave-last-out by time: users ascending; each user's rows ordered by timestamp (table order
/// among equal timestamps); the last one goes to test, the others to train in that time order.
/// A user with a single row has it in test, as in leaveOneOutSplit. kInvalidArgument without
/// timestamps.
TrainTestSplit lastByTimeSplit(const Interactions& data);

/// A seeded ratio split per user, so that every user with two or more rows is evaluated: one
/// `RandomState(seed)` for the whole split; for each user ascending with n >= 2 rows it draws
/// `permutation(n)` and the last `clamp(floor(n * testFraction + 0.5), 1, n - 1)` positions of
/// it go to test. A user with a single row keeps it in train (no test row, not evaluated).
/// Train and test rows keep table order. `testFraction` must lie strictly between 0 and 1.
TrainTestSplit ratioSplit(const Interactions& data, double testFraction, std::uint32_t seed = 42);

enum class SplitMethod { kLeaveOneOut, kLastByTime, kRatio };

/// "leave-one-out", "last-by-time", "ratio" (the CLI's --split values); kInvalidArgument
/// naming the valid ones otherwise.
SplitMethod splitMethodFromName(std::string_view name);

struct SplitOptions {
  SplitMethod method = SplitMethod::kLeaveOneOut;
  std::uint32_t seed = 42;    ///< leave-one-out and ratio
  double testFraction = 0.2;  ///< ratio
};

TrainTestSplit splitInteractions(const Interactions& data, const SplitOptions& options);

struct DatasetSplit {
  Dataset train;
  Dataset test;
};

/// Splits the interactions; item text is shared by both parts. Sessions cut from timestamps
/// (`sessionGapSeconds` set) are rebuilt from each part's own rows, so that co-visitation never
/// trains on test events; other sessions (the notebook's) are shared, as the notebook does.
DatasetSplit splitDataset(const Dataset& data, const SplitOptions& options);

}  // namespace recwasm
