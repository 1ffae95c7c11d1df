#include <cmath>

#include "fixtures.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/content_tfidf.h"
#include "recwasm/tfidf.h"

using namespace recwasm;
using fixtures::errorOf;

namespace {

using Strings = std::vector<std::string>;

Query userQuery(std::int32_t user) {
  Query q;
  q.user = user;
  return q;
}

RecommendOptions topK(int k, bool excludeSeen = true) {
  RecommendOptions o;
  o.k = k;
  o.excludeSeen = excludeSeen;
  return o;
}

/// Users 0..users-1 and items 0..items-1 with the given rows (rating 1 unless given).
Dataset smallDataset(int users, const Strings& text, const std::vector<std::int32_t>& userOfRow,
                     const std::vector<std::int32_t>& itemOfRow, std::vector<double> values = {}) {
  if (values.empty()) values.assign(userOfRow.size(), 1.0);
  Dataset d;
  d.interactions = std::make_shared<Interactions>(
      std::make_shared<IdMap>(IdMap::identity(users)),
      std::make_shared<IdMap>(IdMap::identity(static_cast<std::int32_t>(text.size()))), userOfRow,
      itemOfRow, values);
  d.itemText = std::make_shared<Strings>(text);
  return d;
}

}  // namespace

TEST_CASE("the analyzer tokenizes as scikit-learn does under Python 3.11", "[content]") {
  // Expected tokens printed by Debian's sklearn 1.2.1:
  // TfidfVectorizer(stop_words="english").build_analyzer()(text).
  CHECK(analyzeText("Amélie (2001) Comedy|Romance", true) ==
        Strings{"amélie", "2001", "comedy", "romance"});
  CHECK(analyzeText("ΣΊΣΥΦΟΣ ΟΔΟΣ Σ ΑΣ.", true) == Strings{"σίσυφος", "οδος", "ας"});
  CHECK(analyzeText("ΌΣ'Σ ΑΣ'Α", true) == Strings{"όσ", "ασ"});   // apostrophes are skipped
  CHECK(analyzeText("İstanbul İİ", true) == Strings{"stanbul"});  // İ -> i + U+0307
  CHECK(analyzeText("Don't look_now x² ½ ⑳ 3½", true) == Strings{"don", "look_now", "x²", "3½"});
  CHECK(analyzeText("Cre\xcc\x80me BRÛLÉE", true) == Strings{"cre", "brûlée"});  // U+0300 splits
  CHECK(analyzeText("日本語 テスト ١٢٣", true) == Strings{"日本語", "テスト", "١٢٣"});
  CHECK(analyzeText("ǅungla ǄEMAL", true) == Strings{"ǆungla", "ǆemal"});
  CHECK(analyzeText("The and of it's", true).empty());
  CHECK(analyzeText("The and of it's", false) == Strings{"the", "and", "of", "it"});
  // Malformed UTF-8 (a stray byte, a truncated sequence, an overlong form, a surrogate) is
  // decoded as U+FFFD, which separates tokens like any other non-word character.
  CHECK(analyzeText("ab\xff"
                    "cd",
                    true) == Strings{"ab", "cd"});
  CHECK(analyzeText("ab\xe2\x82"
                    "cd",
                    true) == Strings{"ab", "cd"});
  CHECK(analyzeText("ab\xc0\xafx\xed\xa0\x80yz", true) == Strings{"ab", "yz"});
  CHECK(analyzeText("", true).empty());
  CHECK(englishStopWords().size() == 318);
}

TEST_CASE("fitTfidf matches scikit-learn's TfidfVectorizer", "[content]") {
  // Reference: TfidfVectorizer(max_features=5000, stop_words="english").fit_transform(docs)
  // with Debian's sklearn 1.2.1 (values printed with repr).
  const Strings docs = {"space alien space robot",
                        "Alien love story",
                        "",
                        "the of and",
                        "robot robot love Amélie",
                        "zebra"};
  const TfidfMatrix m = fitTfidf(docs, {});
  CHECK(m.terms == Strings{"alien", "amélie", "love", "robot", "space", "story", "zebra"});
  const double low = 1.8472978603872037, high = 2.252762968495368;
  REQUIRE(m.idf.size() == 7);
  for (std::size_t t = 0; t < 7; ++t) {
    CHECK(m.idf[t] == Approx(t == 0 || t == 2 || t == 3 ? low : high).epsilon(1e-15));
  }
  REQUIRE(m.rows.rows() == 6);
  auto row = [&](std::int32_t r) {
    std::vector<std::pair<std::int32_t, double>> out;
    for (std::int32_t e = m.rows.offsets[r]; e < m.rows.offsets[r + 1]; ++e) {
      out.emplace_back(m.rows.indices[static_cast<std::size_t>(e)],
                       m.rows.values[static_cast<std::size_t>(e)]);
    }
    return out;
  };
  auto expectRow = [&](std::int32_t r, std::vector<std::pair<std::int32_t, double>> expected) {
    INFO("row " << r);
    const auto got = row(r);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].first == expected[i].first);
      CHECK(got[i].second == Approx(expected[i].second).epsilon(1e-15));
    }
  };
  expectRow(0, {{0, 0.35469396002314924}, {3, 0.35469396002314924}, {4, 0.8650921277217781}});
  expectRow(1, {{0, 0.5355058021985527}, {2, 0.5355058021985527}, {5, 0.6530444637414584}});
  expectRow(2, {});
  expectRow(3, {});
  expectRow(4, {{1, 0.4787969000213326}, {2, 0.3926203073020961}, {3, 0.7852406146041923}});
  expectRow(5, {{6, 1.0}});

  // max_features=3: robot (3) and then, among alien, love and space (2 each), the two that
  // sort first (sklearn also printed ['alien', 'love', 'robot'] here).
  CHECK(fitTfidf(docs, {3, true}).terms == Strings{"alien", "love", "robot"});
  CHECK(fitTfidf(docs, {0, false}).terms.size() == 10);  // + and, of, the

  CHECK(errorOf([&] { fitTfidf({"the", "", "a b c"}, {}); }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([&] { fitTfidf({}, {}); }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([&] { fitTfidf(docs, {-1, true}); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("content_tfidf reproduces the notebook on seed 42", "[content]") {
  const fixtures::Fixture f = fixtures::notebookDemo();
  ContentTfidf model({});
  model.fit(f.train);
  const Evaluation e = evaluate(model, *f.test, {});
  CHECK(e.users == 30);
  CHECK(e.mean.precision == Approx(24.0 / 300).margin(1e-12));
  CHECK(e.mean.recall == Approx(24.0 / 30).margin(1e-12));
  // The notebook's printed list for u_demo = 2.
  CHECK(model.recommend(userQuery(2), topK(10)).items ==
        std::vector<std::int32_t>{29, 30, 6, 17, 0, 50, 40, 24, 12, 58});
  CHECK(model.options().at("max_features") == OptionValue(5000.0));
  CHECK(model.options().at("profile") == OptionValue(std::string("mean")));
}

TEST_CASE("content_tfidf scores cosines of the mean profile, ties to the lower id", "[content]") {
  // Items 1 and 3 have the same text, so they tie; item 4 has no text; item 5 only stop words.
  const Strings text = {"space alien", "space robot", "love story", "space robot", "", "the of"};
  Dataset data = smallDataset(3, text, {0, 0, 1, 2, 2}, {0, 0, 2, 4, 5});
  ContentTfidf model({});
  model.fit(data);

  // User 0 saw item 0 twice: the profile is item 0's vector.
  const std::vector<double> scores = model.score(userQuery(0));
  CHECK(scores[0] == Approx(1.0));
  CHECK(scores[1] == scores[3]);
  CHECK(scores[1] > 0.0);
  CHECK(scores[2] == 0.0);
  CHECK(scores[4] == 0.0);
  CHECK(scores[5] == 0.0);
  Recommendations r = model.recommend(userQuery(0), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{1, 3, 2, 4, 5});  // zero scores keep id order

  // User 2 only saw items without terms: a zero profile falls back to popularity (items by
  // training count: 0 twice, then 2, 4, 5 once each, seen ones dropped).
  r = model.recommend(userQuery(2), topK(10));
  CHECK(r.items == std::vector<std::int32_t>{0, 2});
  CHECK(r.scores == std::vector<double>{2, 1});
  const std::vector<double> fallback = model.score(userQuery(2));
  CHECK(fallback[0] == 2.0);
  CHECK(fallback[1] == -std::numeric_limits<double>::infinity());
  CHECK(model.explain(userQuery(2), 0, 3).empty());

  // A history folded in from scratch: a duplicate counts twice in the mean.
  History h;
  h.items = {1, 2, 2};
  const std::vector<double> folded = model.score(Query{Query::kNoUser, &h});
  CHECK(folded[2] > folded[1]);
  CHECK(folded[1] == folded[3]);

  // Similar items: positive cosines only, never the item itself.
  const Recommendations similar = model.similarItems(1, 10);
  CHECK(similar.items == std::vector<std::int32_t>{3, 0});
  CHECK(similar.scores[0] == Approx(1.0));
  CHECK(model.similarItems(4, 10).items.empty());
}

TEST_CASE("content_tfidf explains a score by the history's shares of the cosine", "[content]") {
  const fixtures::Fixture f = fixtures::notebookDemo();
  ContentTfidf model({});
  model.fit(f.train);
  for (std::int32_t u = 0; u < 30; ++u) {
    const std::vector<double> scores = model.score(userQuery(u));
    for (std::int32_t item : model.recommend(userQuery(u), topK(5)).items) {
      const std::vector<Contribution> all = model.explain(userQuery(u), item, 60);
      double sum = 0;
      for (const Contribution& c : all) sum += c.weight;
      // Shares are never negative under the mean profile, so they add up to the cosine.
      CHECK(sum == Approx(scores[static_cast<std::size_t>(item)]).epsilon(1e-12));
      const std::vector<Contribution> top = model.explain(userQuery(u), item, 2);
      REQUIRE(top.size() == std::min<std::size_t>(2, all.size()));
      for (std::size_t i = 0; i < top.size(); ++i) CHECK(top[i].item == all[i].item);
    }
  }
}

TEST_CASE("content_tfidf's weighted profiles follow the ratings", "[content]") {
  // User 0 loved a space film and disliked a romance; items 2 and 3 are unseen.
  const Strings text = {"space alien", "love story", "space robot", "love wedding"};
  Dataset data = smallDataset(1, text, {0, 0}, {0, 1}, {5.0, 1.0});

  ContentTfidf mean({});
  mean.fit(data);
  std::vector<double> s = mean.score(userQuery(0));
  CHECK(s[2] == Approx(s[3]));  // the plain mean cannot tell them apart

  ContentTfidf rating({{"profile", std::string("rating")}});
  rating.fit(data);
  s = rating.score(userQuery(0));
  CHECK(s[2] > s[3]);
  CHECK(s[3] > 0.0);
  CHECK(rating.recommend(userQuery(0), topK(2)).items == std::vector<std::int32_t>{2, 3});

  ContentTfidf centered({{"profile", std::string("centered")}});
  centered.fit(data);
  s = centered.score(userQuery(0));
  CHECK(s[2] > 0.0);
  CHECK(s[3] < 0.0);  // pushed away from the disliked content
  const std::vector<Contribution> why = centered.explain(userQuery(0), 2, 3);
  REQUIRE(why.size() == 1);
  CHECK(why[0].item == 0);

  // Equal ratings give every row the same weight: the same answers as the plain mean.
  Dataset flat = smallDataset(1, text, {0, 0}, {0, 1}, {3.0, 3.0});
  mean.fit(flat);
  centered.fit(flat);
  CHECK(centered.score(userQuery(0)) == mean.score(userQuery(0)));

  CHECK(errorOf([] {
          ContentTfidf({{"profile", std::string("median")}});
        }) == ErrorCode::kInvalidArgument);
  CHECK(errorOf([] { ContentTfidf({{"max_features", -1.0}}); }) == ErrorCode::kInvalidArgument);
}
