// Train/test splits. The default is the notebook's leave-one-out, reproduced bit for bit.
#pragma once

#include <cstdint>

#include "recwasm/interactions.h"

namespace recwasm {

struct TrainTestSplit {
  Interactions train;
  Interactions test;
};

/// The notebook's `leave_last_one_out_split`: users ascending; each user's rows (table order)
/// are permuted by a fresh `RandomState(seed).permutation(n)` (pandas `sample(frac=1,
/// random_state=seed)`), the last one goes to test and the others, in permuted order, to train.
/// A user with a single row therefore has it in test and nothing in train (the notebook's rule;
/// models then use their cold-start fallback for that user).
TrainTestSplit leaveOneOutSplit(const Interactions& data, std::uint32_t seed = 42);

}  // namespace recwasm
