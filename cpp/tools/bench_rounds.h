// How the native bench tools warm up and summarise their rounds: the rule bench/cells.mjs
// applies in wasm (FAST_ROUND_MS, FAST_ROUNDS, FAST_WARM_UP_MS, keepWarming), so that both sides
// of a comparison time alike.
#pragma once

#include <algorithm>
#include <vector>

// A cell whose first round took under kFastRoundMs takes at least kFastRounds timed rounds
// (a median of 5 such short rounds is mostly noise) and warms up for kFastWarmUpMs, not one
// round: in wasm V8 is still compiling the hot functions after the first; here it only keeps
// both sides alike.
constexpr double kFastRoundMs = 50;
constexpr int kFastRounds = 50;
constexpr double kFastWarmUpMs = 300;

/// Whether a cell whose first round took `firstRoundMs`, after `warmingMs` of warm-up rounds
/// (the first included), runs another warm-up round.
inline bool keepWarming(double firstRoundMs, double warmingMs) {
  return firstRoundMs < kFastRoundMs && warmingMs < kFastWarmUpMs;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}
