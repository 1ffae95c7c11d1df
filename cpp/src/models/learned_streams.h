// Random streams of the learned models: one per purpose, so that changing how many negatives
// are drawn leaves the initialisation and the shuffles untouched.
#pragma once

#include <cstdint>

namespace recwasm::streams {

constexpr std::uint64_t kInit = 1;
constexpr std::uint64_t kShuffle = 2;
constexpr std::uint64_t kNegatives = 3;
constexpr std::uint64_t kValidation = 4;

}  // namespace recwasm::streams
