#include "recwasm/split.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "recwasm/error.h"
#include "recwasm/numpy_random.h"
#include "recwasm/sessions.h"

namespace recwasm {

TrainTestSplit leaveOneOutSplit(const Interactions& data, std::uint32_t seed) {
  std::vector<std::size_t> trainRows, testRows;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> rows = data.rowsOfUser(u);
    if (rows.empty()) continue;
    NumpyRandomState rng(seed);
    std::vector<std::int64_t> order = rng.permutation(rows.size());
    for (std::size_t k = 0; k + 1 < order.size(); ++k) {
      trainRows.push_back(static_cast<std::size_t>(rows[static_cast<std::size_t>(order[k])]));
    }
    testRows.push_back(static_cast<std::size_t>(rows[static_cast<std::size_t>(order.back())]));
  }
  return {data.selectRows(trainRows), data.selectRows(testRows)};
}

TrainTestSplit lastByTimeSplit(const Interactions& data) {
  require(data.hasTimestamps(), "the last-by-time split needs interactions with timestamps");
  const std::vector<std::int64_t>& time = data.timestamps();
  std::vector<std::size_t> trainRows, testRows;
  // (timestamp, row): a user's rows ascend in table order, so sorting the pairs keeps table order
  // among equal timestamps.
  std::vector<std::pair<std::int64_t, std::size_t>> events;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> rows = data.rowsOfUser(u);
    if (rows.empty()) continue;
    events.clear();
    for (std::int32_t row : rows) {
      events.emplace_back(time[static_cast<std::size_t>(row)], static_cast<std::size_t>(row));
    }
    std::sort(events.begin(), events.end());
    for (std::size_t k = 0; k + 1 < events.size(); ++k) trainRows.push_back(events[k].second);
    testRows.push_back(events.back().second);
  }
  return {data.selectRows(trainRows), data.selectRows(testRows)};
}

TrainTestSplit ratioSplit(const Interactions& data, double testFraction, std::uint32_t seed) {
  require(testFraction > 0.0 && testFraction < 1.0,
          "the test fraction must lie strictly between 0 and 1");
  std::vector<std::uint8_t> isTest(data.numRows(), 0);
  NumpyRandomState rng(seed);
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> rows = data.rowsOfUser(u);
    const std::size_t n = rows.size();
    if (n < 2) continue;
    auto wanted = static_cast<std::size_t>(std::floor(static_cast<double>(n) * testFraction + 0.5));
    const std::size_t testCount = std::min(n - 1, std::max<std::size_t>(1, wanted));
    std::vector<std::int64_t> order = rng.permutation(n);
    for (std::size_t k = n - testCount; k < n; ++k) {
      isTest[static_cast<std::size_t>(rows[static_cast<std::size_t>(order[k])])] = 1;
    }
  }
  std::vector<std::size_t> trainRows, testRows;
  for (std::size_t row = 0; row < data.numRows(); ++row) {
    (isTest[row] ? testRows : trainRows).push_back(row);
  }
  return {data.selectRows(trainRows), data.selectRows(testRows)};
}

SplitMethod splitMethodFromName(std::string_view name) {
  if (name == "leave-one-out") return SplitMethod::kLeaveOneOut;
  if (name == "last-by-time") return SplitMethod::kLastByTime;
  if (name == "ratio") return SplitMethod::kRatio;
  fail(ErrorCode::kInvalidArgument,
       "unknown split '" + std::string(name) + "' (use leave-one-out, last-by-time or ratio)");
}

TrainTestSplit splitInteractions(const Interactions& data, const SplitOptions& options) {
  switch (options.method) {
    case SplitMethod::kLeaveOneOut:
      return leaveOneOutSplit(data, options.seed);
    case SplitMethod::kLastByTime:
      return lastByTimeSplit(data);
    case SplitMethod::kRatio:
      return ratioSplit(data, options.testFraction, options.seed);
  }
  fail(ErrorCode::kInvalidArgument, "unknown split method");
}

DatasetSplit splitDataset(const Dataset& data, const SplitOptions& options) {
  require(data.interactions != nullptr, "dataset has no interactions");
  TrainTestSplit parts = splitInteractions(*data.interactions, options);
  DatasetSplit out{data, data};
  out.train.interactions = std::make_shared<Interactions>(std::move(parts.train));
  out.test.interactions = std::make_shared<Interactions>(std::move(parts.test));
  if (data.sessions && data.sessionGapSeconds) {
    for (Dataset* part : {&out.train, &out.test}) {
      part->sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>(
          sessionsFromTimestamps(*part->interactions, *data.sessionGapSeconds));
    }
  }
  return out;
}

}  // namespace recwasm
