#include <catch2/catch.hpp>

#include "recwasm/error.h"
#include "recwasm/sessions.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

std::vector<ExternalId> externalItems(const Interactions& data) {
  std::vector<ExternalId> out;
  for (std::int32_t item : data.itemOfRow()) out.push_back(data.items().external(item));
  return out;
}

// Users 0, 1, 2 with 5, 2 and 1 rows, interleaved; items 10..17 name the rows.
Interactions interleaved(std::vector<std::int64_t> timestamps = {}) {
  return Interactions::fromExternal({0, 0, 1, 0, 0, 2, 1, 0}, {10, 11, 12, 13, 14, 15, 16, 17},
                                    std::vector<double>(8, 1.0), std::move(timestamps));
}

}  // namespace

TEST_CASE("leave-one-out puts a single-row user's row in test, as pandas does", "[split]") {
  TrainTestSplit split = leaveOneOutSplit(interleaved(), 42);
  CHECK(split.train.numRows() == 5);
  CHECK(split.test.numRows() == 3);
  CHECK(split.test.rowsOfUser(2).size() == 1);
  CHECK(split.train.rowsOfUser(2).empty());
  CHECK(split.train.numItems() == 8);  // both parts keep the whole catalogue
}

TEST_CASE("last-by-time: the latest row to test, ties in table order", "[split]") {
  // User 0's rows (items 10, 11, 13, 14, 17) at times 50, 30, 30, 10, 50: the two latest tie,
  // so item 17 (later in the table) is the test row; train in time order 14, 11, 13, 10.
  Interactions data = interleaved({50, 30, 7, 30, 10, 99, 7, 50});
  TrainTestSplit split = lastByTimeSplit(data);
  CHECK(externalItems(split.test) == std::vector<ExternalId>{17, 16, 15});
  CHECK(externalItems(split.train) == std::vector<ExternalId>{14, 11, 13, 10, 12});
  CHECK(split.test.hasTimestamps());
  CHECK(split.test.timestamps() == std::vector<std::int64_t>{50, 7, 99});
  CHECK_THROWS_AS(lastByTimeSplit(interleaved()), Error);
}

TEST_CASE("ratio split matches numpy's draws and keeps table order", "[split]") {
  // Reference (tests/parity/reference.py): seed 7, fraction 0.4 -> test items 11, 17 (user 0:
  // floor(5 * 0.4 + 0.5) = 2 rows) and 16 (user 1: 1 row); user 2's single row stays in train.
  TrainTestSplit split = ratioSplit(interleaved(), 0.4, 7);
  CHECK(externalItems(split.train) == std::vector<ExternalId>{10, 12, 13, 14, 15});
  CHECK(externalItems(split.test) == std::vector<ExternalId>{11, 16, 17});
  split = ratioSplit(interleaved(), 0.4, 42);
  CHECK(externalItems(split.train) == std::vector<ExternalId>{11, 12, 13, 15, 17});
  CHECK(externalItems(split.test) == std::vector<ExternalId>{10, 14, 16});
  CHECK_THROWS_AS(ratioSplit(interleaved(), 0.0, 1), Error);
  CHECK_THROWS_AS(ratioSplit(interleaved(), 1.0, 1), Error);
}

TEST_CASE("split methods by name", "[split]") {
  CHECK(splitMethodFromName("leave-one-out") == SplitMethod::kLeaveOneOut);
  CHECK(splitMethodFromName("last-by-time") == SplitMethod::kLastByTime);
  CHECK(splitMethodFromName("ratio") == SplitMethod::kRatio);
  try {
    splitMethodFromName("random");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("last-by-time") != std::string::npos);
  }
}

TEST_CASE("sessions from timestamps: time order, ties in table order, cut above the gap",
          "[sessions]") {
  // User 7: items 1..5 at 100, 5000, 8600, 100, 20000. Sorted: 1, 4 (tie, table order), 2, 3, 5.
  // Gaps 0, 4900 (cut), 3600 (not above the gap: same session), 11400 (cut).
  // User 3 (listed first: users ascend): items 9, 8 at 50, 40.
  Interactions data = Interactions::fromExternal({7, 7, 7, 7, 7, 3, 3}, {1, 2, 3, 4, 5, 9, 8},
                                                 std::vector<double>(7, 1.0),
                                                 {100, 5000, 8600, 100, 20000, 50, 40});
  auto external = [&data](const std::vector<std::vector<std::int32_t>>& sessions) {
    std::vector<std::vector<ExternalId>> out;
    for (const auto& s : sessions) {
      out.emplace_back();
      for (std::int32_t item : s) out.back().push_back(data.items().external(item));
    }
    return out;
  };
  CHECK(external(sessionsFromTimestamps(data, 3600)) ==
        std::vector<std::vector<ExternalId>>{{8, 9}, {1, 4}, {2, 3}, {5}});
  CHECK(external(sessionsFromTimestamps(data, 0)) ==
        std::vector<std::vector<ExternalId>>{{8}, {9}, {1, 4}, {2}, {3}, {5}});
  CHECK_THROWS_AS(sessionsFromTimestamps(data, -1), Error);
  CHECK_THROWS_AS(sessionsFromTimestamps(interleaved(), 3600), Error);
}

TEST_CASE("splitting a dataset rebuilds timestamp sessions from each part's rows", "[split]") {
  Dataset data;
  data.interactions = std::make_shared<Interactions>(interleaved({1, 2, 3, 4, 5, 6, 7, 8}));
  data.sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>(
      sessionsFromTimestamps(*data.interactions, 3600));
  data.sessionGapSeconds = 3600;
  data.itemText = std::make_shared<std::vector<std::string>>(8, "text");
  DatasetSplit split = splitDataset(data, {SplitMethod::kLastByTime, 0, 0});
  // Train: user 0's items 10, 11, 13, 14 (dense 0, 1, 3, 4) and user 1's 12 (dense 2).
  CHECK(*split.train.sessions == std::vector<std::vector<std::int32_t>>{{0, 1, 3, 4}, {2}});
  CHECK(*split.test.sessions == std::vector<std::vector<std::int32_t>>{{7}, {6}, {5}});
  CHECK(split.train.itemText == data.itemText);

  // Sessions of their own (the notebook's) are shared by both parts.
  data.sessionGapSeconds.reset();
  split = splitDataset(data, {});
  CHECK(split.train.sessions == data.sessions);
  CHECK(split.test.sessions == data.sessions);
}
