// Seconds on a monotonic clock, for the timings reported to callers (evaluation milliseconds,
// training throughput). Not std::chrono::steady_clock: its failure path throws
// std::system_error, whose messages are formatted by snprintf, and that alone links printf's
// float formatting and 128-bit float arithmetic into the wasm module (5.5 KB gzip, together
// with options.cpp's numberText, which replaced printf's other user).
#pragma once

#include <time.h>

namespace recwasm {

inline double monotonicSeconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace recwasm
