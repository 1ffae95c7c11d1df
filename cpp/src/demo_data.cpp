#include "recwasm/demo_data.h"

#include <algorithm>
#include <cmath>

#include "recwasm/error.h"
#include "recwasm/numpy_random.h"

namespace recwasm {

namespace {

struct Category {
  std::string name;
  std::vector<std::string> words;
};

// The notebook's word lists, one line per category: its name, then its twelve words. Kept as
// text because every page downloads this code: building the table from literals took 4 KB.
constexpr const char* kCategoryTable =
    "Action action fast adventure hero battle explosion chase mission fight weapon danger rescue\n"
    "Romance romance love drama heart relationship emotion passion kiss betrayal wedding tearful "
    "affection\n"
    "Sci-Fi scifi space future alien robot technology galaxy time experiment spaceship cyber "
    "planet\n"
    "Comedy comedy funny joke laugh humor awkward satire parody prank clumsy ridiculous smile\n"
    "Horror horror scary ghost dark monster fear nightmare blood curse haunted evil scream\n"
    "Documentary documentary history facts nature real science culture wildlife investigation "
    "education truth archive\n";

std::vector<Category> parseCategoryTable() {
  std::vector<Category> table;
  std::string word;
  bool lineStart = true;
  for (const char* c = kCategoryTable; *c; ++c) {
    if (*c != ' ' && *c != '\n') {
      word += *c;
      continue;
    }
    if (lineStart) {
      table.push_back({word, {}});
    } else {
      table.back().words.push_back(word);
    }
    word.clear();
    lineStart = *c == '\n';
  }
  return table;
}

const std::vector<Category>& categories() {
  static const std::vector<Category> table = parseCategoryTable();
  return table;
}

std::string twoDigits(int n) {
  std::string s = std::to_string(n);
  return s.size() < 2 ? "0" + s : s;
}

// np.round(np.clip(x, 1.0, 5.0), 1): round half to even at one decimal.
double clipAndRound(double x) {
  double clipped = std::min(5.0, std::max(1.0, x));
  return std::nearbyint(clipped * 10.0) / 10.0;
}

}  // namespace

int demoCategoryCount() { return static_cast<int>(categories().size()); }

const std::string& demoCategoryName(int category) {
  require(category >= 0 && category < demoCategoryCount(), "no such demo category");
  return categories()[static_cast<std::size_t>(category)].name;
}

DemoData generateDemoData(const DemoDataParams& p) {
  require(p.users >= 0, "users must not be negative");
  require(p.ratingsPerUser >= 0, "ratings per user must not be negative");
  require(p.sessionLength >= 0, "session length must not be negative");
  require(p.categories >= 1 && p.categories <= demoCategoryCount(),
          "categories must be between 1 and " + std::to_string(demoCategoryCount()) +
              " (the notebook has that many word lists)");
  require(p.items >= 1, "items must be at least 1");
  require(p.items <= 1000000 && p.users <= 10000000, "users or items too large");
  require(static_cast<double>(p.users) * p.ratingsPerUser <= 1e8, "too many ratings requested");

  DemoData data;
  data.params = p;
  NumpyRandomState rng(p.seed);

  std::vector<std::int32_t> itemCategory(static_cast<std::size_t>(p.items));
  for (auto& c : itemCategory) c = static_cast<std::int32_t>(rng.randint(0, p.categories));
  data.userPreferredCategory.resize(static_cast<std::size_t>(p.users));
  for (auto& c : data.userPreferredCategory) {
    c = static_cast<std::int32_t>(rng.randint(0, p.categories));
  }

  for (std::int32_t i = 0; i < p.items; ++i) {
    const Category& category = categories()[static_cast<std::size_t>(itemCategory[i])];
    std::vector<std::string> words = rng.choiceWithoutReplacement(category.words, 5);
    std::string description;
    for (const std::string& w : words) description += (description.empty() ? "" : " ") + w;
    data.items.push_back({i, "Item_" + twoDigits(i) + "_Category_" + twoDigits(itemCategory[i]),
                          itemCategory[i], category.name, description});
  }

  // int(ratings_per_user * 0.7) in double arithmetic, as Python computes it.
  const auto nPreferred = static_cast<std::size_t>(p.ratingsPerUser * 0.7);
  const std::size_t nOther = static_cast<std::size_t>(p.ratingsPerUser) - nPreferred;
  auto itemsSplitBy = [&](std::int32_t category) {
    std::pair<std::vector<std::int32_t>, std::vector<std::int32_t>> split;
    for (std::int32_t i = 0; i < p.items; ++i) {
      (itemCategory[i] == category ? split.first : split.second).push_back(i);
    }
    return split;
  };

  for (std::int32_t u = 0; u < p.users; ++u) {
    auto [preferred, other] = itemsSplitBy(data.userPreferredCategory[u]);
    std::vector<std::int32_t> chosen =
        rng.choiceWithoutReplacement(preferred, std::min(nPreferred, preferred.size()));
    std::vector<std::int32_t> chosenOther =
        rng.choiceWithoutReplacement(other, std::min(nOther, other.size()));
    chosen.insert(chosen.end(), chosenOther.begin(), chosenOther.end());
    rng.shuffle(chosen);
    for (std::int32_t item : chosen) {
      double base = itemCategory[item] == data.userPreferredCategory[u] ? 4.2 : 2.8;
      data.ratings.push_back({u, item, clipAndRound(rng.normal(base, 0.6))});
    }
  }

  for (std::int32_t u = 0; u < p.users; ++u) {
    std::vector<std::int32_t> preferred = itemsSplitBy(data.userPreferredCategory[u]).first;
    std::vector<std::int32_t> session;
    if (!preferred.empty()) {
      for (int s = 0; s < p.sessionLength; ++s) {
        session.push_back(preferred[static_cast<std::size_t>(
            rng.randint(0, static_cast<std::int64_t>(preferred.size())))]);
      }
    }
    data.sessions.push_back(std::move(session));
  }
  return data;
}

Dataset demoDataset(const DemoData& data) {
  std::vector<std::int32_t> users, items;
  std::vector<double> values;
  for (const DemoRating& r : data.ratings) {
    users.push_back(r.user);
    items.push_back(r.item);
    values.push_back(r.rating);
  }
  Dataset dataset;
  dataset.interactions =
      std::make_shared<Interactions>(std::make_shared<IdMap>(IdMap::identity(data.params.users)),
                                     std::make_shared<IdMap>(IdMap::identity(data.params.items)),
                                     std::move(users), std::move(items), std::move(values));
  auto text = std::make_shared<std::vector<std::string>>();
  for (const DemoItem& item : data.items) text->push_back(item.description);
  dataset.itemText = std::move(text);
  dataset.sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>(data.sessions);
  return dataset;
}

}  // namespace recwasm
