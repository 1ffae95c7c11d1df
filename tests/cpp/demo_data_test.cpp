#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
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
