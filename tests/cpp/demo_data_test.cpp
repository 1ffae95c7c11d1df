#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/split.h"

using namespace recwasm;

TEST_CASE("generator reproduces the notebook's ratings_df.head(10) on seed 42", "[data]") {
  DemoData data = generateDemoData({});
  REQUIRE(data.ratings.size() == 358);  // 328 train + 30 test rows
  const std::int32_t items[] = {39, 32, 47, 24, 40, 59, 7, 0, 38, 50};
  const double ratings[] = {4.4, 5.0, 2.6, 2.4, 3.2, 4.9, 2.9, 4.2, 5.0, 3.6};
  for (int r = 0; r < 10; ++r) {
    CHECK(data.ratings[r].user == 0);
    CHECK(data.ratings[r].item == items[r]);
    CHECK(data.ratings[r].rating == ratings[r]);
  }
}

TEST_CASE("generator reproduces the notebook's items_df.head(10) on seed 42", "[data]") {
  DemoData data = generateDemoData({});
  REQUIRE(data.items.size() == 60);
  const char* descriptions[] = {"smile joke awkward comedy ridiculous",
                                "fear scary haunted monster ghost",
                                "technology experiment cyber alien spaceship",
                                "scream haunted evil dark ghost",
                                "blood dark scary curse evil",
                                "wedding relationship love emotion heart",
                                "experiment scifi robot space spaceship",
                                "cyber planet scifi galaxy space",
                                "technology time space galaxy future",
                                "haunted fear scream nightmare blood"};
  const int categories[] = {3, 4, 2, 4, 4, 1, 2, 2, 2, 4};
  for (int i = 0; i < 10; ++i) {
    CHECK(data.items[i].id == i);
    CHECK(data.items[i].category == categories[i]);
    CHECK(data.items[i].description == descriptions[i]);
  }
  CHECK(data.items[0].title == "Item_00_Category_03");
  CHECK(data.items[7].title == "Item_07_Category_02");
  CHECK(data.items[7].categoryName == "Sci-Fi");
}

TEST_CASE("leave-one-out split of the notebook data has 328 train and 30 test rows", "[data]") {
  Dataset dataset = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*dataset.interactions, 42);
  CHECK(split.train.numRows() == 328);
  CHECK(split.test.numRows() == 30);
  for (std::int32_t u = 0; u < 30; ++u) CHECK(split.test.rowsOfUser(u).size() == 1);
}

TEST_CASE("generator matches numpy on the largest seed and odd sizes", "[data]") {
  // Reference: tests/parity/reference.py (numpy 1.24) for seed 2^32 - 1, 3 users, 7 items,
  // 2 categories, 5 ratings per user, sessions of 4.
  DemoDataParams p;
  p.seed = 4294967295u;
  p.users = 3;
  p.items = 7;
  p.categories = 2;
  p.ratingsPerUser = 5;
  p.sessionLength = 4;
  DemoData data = generateDemoData(p);
  const std::int32_t users[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2};
  const std::int32_t items[] = {3, 6, 5, 0, 2, 4, 0, 5, 3, 0, 3, 1, 4, 5};
  const double ratings[] = {2.4, 4.1, 5.0, 2.3, 4.3, 1.8, 2.9, 2.8, 4.3, 2.6, 1.2, 4.4, 3.4, 4.3};
  REQUIRE(data.ratings.size() == 14);  // user 1's category has only 2 items: 2 + 2 others
  for (std::size_t r = 0; r < 14; ++r) {
    CHECK(data.ratings[r].user == users[r]);
    CHECK(data.ratings[r].item == items[r]);
    CHECK(data.ratings[r].rating == ratings[r]);
  }
  CHECK(data.sessions ==
        std::vector<std::vector<std::int32_t>>{{6, 4, 2, 6}, {3, 0, 0, 0}, {6, 2, 5, 5}});
  CHECK(data.userPreferredCategory == std::vector<std::int32_t>{0, 1, 0});
  CHECK(data.items[0].description == "tearful romance heart relationship love");
  CHECK(data.items[0].categoryName == "Romance");
  CHECK(data.items[6].title == "Item_06_Category_00");
}

TEST_CASE("generator: a preferred category without items gives an empty session", "[data]") {
  // numpy (reference.py): one item of category 3; no user prefers it.
  DemoDataParams p;
  p.users = 6;
  p.items = 1;
  p.ratingsPerUser = 3;
  p.sessionLength = 4;
  DemoData data = generateDemoData(p);
  CHECK(data.items[0].category == 3);
  CHECK(data.userPreferredCategory == std::vector<std::int32_t>{4, 2, 4, 4, 1, 2});
  REQUIRE(data.ratings.size() == 6);  // each user rates the one other item
  const double ratings[] = {3.7, 3.7, 1.3, 3.2, 2.6, 2.7};
  for (std::int32_t u = 0; u < 6; ++u) {
    CHECK(data.ratings[u].user == u);
    CHECK(data.ratings[u].item == 0);
    CHECK(data.ratings[u].rating == ratings[u]);
    CHECK(data.sessions[u].empty());
  }
  Dataset dataset = demoDataset(data);
  CHECK(dataset.interactions->numItems() == 1);
  CHECK(dataset.sessions->size() == 6);
}

TEST_CASE("generator edge cases: zero users, zero ratings, bad parameters", "[data]") {
  DemoDataParams p;
  p.users = 0;
  DemoData none = generateDemoData(p);
  CHECK(none.ratings.empty());
  CHECK(none.sessions.empty());
  CHECK(none.items.size() == 60);
  // Item categories are drawn before user preferences, so they match the default data's.
  CHECK(none.items[0].category == 3);
  CHECK(none.items[9].category == 4);
  CHECK(demoDataset(none).interactions->numUsers() == 0);

  p = {};
  p.ratingsPerUser = 0;
  DemoData noRatings = generateDemoData(p);
  CHECK(noRatings.ratings.empty());
  CHECK(noRatings.sessions.size() == 30);
  CHECK(noRatings.sessions[0].size() == 8);

  auto rejects = [](DemoDataParams bad) {
    try {
      generateDemoData(bad);
    } catch (const Error& e) {
      return e.code() == ErrorCode::kInvalidArgument;
    }
    return false;
  };
  DemoDataParams bad;
  bad.categories = 7;
  CHECK(rejects(bad));
  bad.categories = 0;
  CHECK(rejects(bad));
  bad = {};
  bad.items = 0;
  CHECK(rejects(bad));
  bad = {};
  bad.users = -1;
  CHECK(rejects(bad));
  bad = {};
  bad.ratingsPerUser = -1;
  CHECK(rejects(bad));
  bad = {};
  bad.sessionLength = -1;
  CHECK(rejects(bad));
  bad = {};
  bad.categories = 1;  // one category: every user prefers it, nothing is "other"
  DemoData one = generateDemoData(bad);
  CHECK(one.ratings.size() == 30 * 8);  // int(12 * 0.7) = 8 preferred, no other items to draw
  for (const DemoRating& r : one.ratings) CHECK(r.rating >= 1.0);
}
