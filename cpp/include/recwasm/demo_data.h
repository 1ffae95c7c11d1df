// The notebook's demo dataset generator (`make_demo_data`), draw for draw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recwasm/interactions.h"

namespace recwasm {

struct DemoDataParams {
  int users = 30;
  int items = 60;
  int categories = 6;
  int ratingsPerUser = 12;
  int sessionLength = 8;
  std::uint32_t seed = 42;
};

struct DemoItem {
  std::int32_t id;
  std::string title;  ///< "Item_07_Category_02"
  std::int32_t category;
  std::string categoryName;  ///< "Sci-Fi"
  std::string description;   ///< five distinct words of the category
};

struct DemoRating {
  std::int32_t user;
  std::int32_t item;
  double rating;
};

struct DemoData {
  DemoDataParams params;
  std::vector<DemoRating> ratings;                  ///< users ascending, each in drawn order
  std::vector<std::vector<std::int32_t>> sessions;  ///< one per user
  std::vector<DemoItem> items;                      ///< ids 0..items-1
  std::vector<std::int32_t> userPreferredCategory;  ///< one per user
};

/// Number of categories the notebook has word lists for (6).
int demoCategoryCount();
const std::string& demoCategoryName(int category);

/// Generates the data exactly as numpy would for the same parameters (every seed in
/// [0, 2^32), every size; tests/parity checks this against numpy and pandas).
///
/// Where the notebook itself fails, recwasm decides:
/// - categories outside 1..6 (there are six word lists), negative counts, items < 1, more than
///   10^6 items or 10^7 users or 10^8 ratings: kInvalidArgument;
/// - a user whose preferred category has no items rates only other items (numpy draws nothing
///   for the empty preferred choice, as the notebook would), and gets an empty session instead
///   of numpy's "a cannot be empty" error; no draw is made for that session, so every other
///   user's data is what numpy would give;
/// - users == 0 gives empty ratings and sessions (the items are still drawn);
/// - ratings per user 0 gives no ratings, but the draws of the empty choices still happen
///   (numpy permutes a non-empty population even for size 0), so the sessions match numpy.
DemoData generateDemoData(const DemoDataParams& params);

/// The dataset the notebook trains on: users 0..users-1 and items 0..items-1 (identity ids),
/// ratings as rows in generation order, item text = descriptions, the sessions.
Dataset demoDataset(const DemoData& data);

}  // namespace recwasm
