#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>

#include "recwasm/csv.h"
#include "recwasm/error.h"
#include "recwasm/movielens.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

// The message of the kParseError `f` throws ("" when it throws nothing or something else).
std::string parseError(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() == ErrorCode::kParseError ? e.what() : "";
  }
  return "";
}

std::string ratingsError(const std::string& text) {
  return parseError([&] { parseRatings(text); });
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string kMovieLens = std::string(RECWASM_DATASETS_DIR) + "/ml-latest-small/";

}  // namespace

TEST_CASE("CSV: quotes, doubled quotes, CRLF, BOM, blank lines, no final line end", "[csv]") {
  std::string text =
      "\xEF\xBB\xBF"
      "a,\"b, c\",\"say \"\"hi\"\"\"\r\n"
      "\r\n"
      "\"multi\nline\",x\"y,\r\n"
      "last,row";
  CsvReader reader(text, ',', "test.csv");
  CsvRecord r;
  REQUIRE(reader.next(r));
  CHECK(r.line == 1);
  CHECK(r.fields == std::vector<std::string_view>{"a", "b, c", "say \"hi\""});
  REQUIRE(reader.next(r));
  CHECK(r.line == 3);
  CHECK(r.fields == std::vector<std::string_view>{"multi\nline", "x\"y", ""});
  REQUIRE(reader.next(r));
  CHECK(r.line == 5);
  CHECK(r.fields == std::vector<std::string_view>{"last", "row"});
  CHECK_FALSE(reader.next(r));
  CHECK(CsvReader("\xEF\xBB\xBF\r\n\n", ',', "x").empty());
  CHECK_FALSE(CsvReader("a", ',', "x").empty());
}

TEST_CASE("CSV: an unterminated quote and text after a closing quote name the line", "[csv]") {
  std::string unterminated = "a,b\n\"open,c\nmore\n";
  CsvReader reader(unterminated, ',', "test.csv");
  CsvRecord r;
  REQUIRE(reader.next(r));
  CHECK(parseError([&] { reader.next(r); }) == "test.csv line 2: unterminated quoted field");
  CsvReader after("\"a\"b,c\n", ',', "test.csv");
  CHECK(parseError([&] { after.next(r); }).rfind("test.csv line 1: unexpected text after", 0) == 0);
}

TEST_CASE("UTF-8 validation", "[csv]") {
  CHECK(isValidUtf8("Cité des enfants perdus \xE2\x80\x94 \xF0\x9F\x8E\xAC"));
  CHECK_FALSE(isValidUtf8("caf\xE9"));           // Latin-1
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK_FALSE(isValidUtf8("\xE2\x80"));          // truncated
}

TEST_CASE("ratings.csv: header, file order, ids beyond 32 bits, BOM and CRLF", "[movielens]") {
  RatingRows rows = parseRatings(
      "\xEF\xBB\xBFuserId,movieId,rating,timestamp\r\n"
      "7,5000000000,4.5,964982703\r\n"
      "2,3,0.5,964981247\r\n"
      "7,3,\"5.0\",1\r\n"
      "9007199254740991,1,3,2");
  CHECK(rows.users == std::vector<ExternalId>{7, 2, 7, 9007199254740991});
  CHECK(rows.items == std::vector<ExternalId>{5000000000, 3, 3, 1});
  CHECK(rows.ratings == std::vector<double>{4.5, 0.5, 5.0, 3.0});
  CHECK(rows.timestamps == std::vector<std::int64_t>{964982703, 964981247, 1, 2});

  // Columns in another order, an extra column, no timestamp.
  rows = parseRatings("rating,extra,movieId,userId\n4,x,10,1\n2.5,y,11,1\n");
  CHECK(rows.users == std::vector<ExternalId>{1, 1});
  CHECK(rows.items == std::vector<ExternalId>{10, 11});
  CHECK(rows.ratings == std::vector<double>{4, 2.5});
  CHECK(rows.timestamps.empty());

  // No header: userId,movieId,rating[,timestamp].
  rows = parseRatings("1,2,3.5\n4,5,1e0\n");
  CHECK(rows.items == std::vector<ExternalId>{2, 5});
  CHECK(rows.ratings == std::vector<double>{3.5, 1.0});
}

TEST_CASE("u.data: tab-separated user item rating timestamp", "[movielens]") {
  RatingRows rows = parseRatings("196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
  CHECK(rows.users == std::vector<ExternalId>{196, 186});
  CHECK(rows.items == std::vector<ExternalId>{242, 302});
  CHECK(rows.timestamps == std::vector<std::int64_t>{881250949, 891717742});
  CHECK(ratingsError("196\t242\t3\t881250949\n186\t302\t3\n") ==
        "u.data line 2: expected 4 tab-separated fields (user item rating timestamp), found 3");
  CHECK(ratingsError("196\t242\tx\t1\n") == "u.data line 1: rating 'x' is not a number");
}

TEST_CASE("ratings.csv: every malformed input names its line and problem", "[movielens]") {
  const std::string header = "userId,movieId,rating,timestamp\n";
  CHECK(ratingsError("") == "ratings.csv line 1: the file is empty");
  CHECK(ratingsError("\xEF\xBB\xBF\r\n") == "ratings.csv line 1: the file is empty");
  CHECK(ratingsError(header) == "ratings.csv line 2: the file has a header but no ratings");
  CHECK(ratingsError(header + "1,2,4,5\n1,2,abc,5\n") ==
        "ratings.csv line 3: rating 'abc' is not a number");
  CHECK(ratingsError(header + "1,2,NaN,5\n") ==
        "ratings.csv line 2: rating 'NaN' is not a finite number");
  CHECK(ratingsError(header + "1,2,-inf,5\n") ==
        "ratings.csv line 2: rating '-inf' is not a finite number");
  CHECK(ratingsError(header + "1,2,Infinity,5\n") ==
        "ratings.csv line 2: rating 'Infinity' is not a finite number");
  CHECK(ratingsError(header + "1,2,1e999,5\n") ==
        "ratings.csv line 2: rating '1e999' is not a finite number");
  CHECK(ratingsError(header + "1,2,0x10,5\n") ==
        "ratings.csv line 2: rating '0x10' is not a number");
  CHECK(ratingsError(header + "1,2,4\n") == "ratings.csv line 2: expected 4 fields, found 3");
  CHECK(ratingsError(header + "1,2,4,5,6\n") == "ratings.csv line 2: expected 4 fields, found 5");
  CHECK(ratingsError(header + "1,,4,5\n") == "ratings.csv line 2: missing movieId");
  CHECK(ratingsError(header + "1.5,2,4,5\n") ==
        "ratings.csv line 2: userId '1.5' is not an integer");
  CHECK(ratingsError(header + "1,2,4,12:30\n") ==
        "ratings.csv line 2: timestamp '12:30' is not an integer");
  CHECK(ratingsError(header + "1,9007199254740992,4,5\n") ==
        "ratings.csv line 2: movieId '9007199254740992' is beyond 2^53 - 1, the largest integer "
        "JavaScript represents exactly");
  CHECK(ratingsError(header + "99999999999999999999999,1,4,5\n").find("beyond 2^53") !=
        std::string::npos);
  CHECK(ratingsError("userId,movieId,timestamp\n1,2,3\n") ==
        "ratings.csv line 1: missing column 'rating' (expected a header "
        "userId,movieId,rating,timestamp)");
  CHECK(ratingsError("userId,movieId,rating,rating\n1,2,3,4\n") ==
        "ratings.csv line 1: column 'rating' appears twice");
  CHECK(ratingsError("1,2\n") ==
        "ratings.csv line 1: expected the fields userId,movieId,rating,timestamp (the first line "
        "is not a header), found 2 fields");
  CHECK(ratingsError(header + "1,2,\"4,5\n") == "ratings.csv line 2: unterminated quoted field");
}

TEST_CASE("movies.csv and tags.csv: quoted titles, UTF-8, duplicates", "[movielens]") {
  MovieRows movies = parseMovies(
      "movieId,title,genres\n"
      "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
      "29,\"Cité des enfants perdus, La (1995)\",Adventure\n"
      "30,\"The \"\"Quoted\"\" One\",(no genres listed)\n");
  CHECK(movies.ids == std::vector<ExternalId>{11, 29, 30});
  CHECK(movies.titles[0] == "American President, The (1995)");
  CHECK(movies.titles[1] == "Cité des enfants perdus, La (1995)");
  CHECK(movies.titles[2] == "The \"Quoted\" One");
  CHECK(movies.genres[0] == "Comedy|Drama|Romance");

  auto moviesError = [](const std::string& text) { return parseError([&] { parseMovies(text); }); };
  CHECK(moviesError("") == "movies.csv line 1: the file is empty");
  CHECK(moviesError("movieId,title,genres\n1,\"Open title,Drama\n2,B,C\n") ==
        "movies.csv line 2: unterminated quoted field");
  CHECK(moviesError("movieId,title,genres\n1,A,Drama\n2,B,C\n1,C,D\n") ==
        "movies.csv line 4: movieId 1 is listed again (first on line 2)");
  CHECK(moviesError("movieId,title,genres\n1,caf\xE9,Drama\n") ==
        "movies.csv line 2: title is not valid UTF-8 text");
  CHECK(moviesError("movieId,genres\n1,Drama\n") ==
        "movies.csv line 1: missing column 'title' (expected a header movieId,title,genres)");
  CHECK(parseMovies("movieId,title,genres\n").ids.empty());  // a header alone is no movies

  TagRows tags = parseTags("userId,movieId,tag,timestamp\n567,4552,\"\"\"artsy\"\"\",1525285878\n");
  CHECK(tags.tags == std::vector<std::string>{"\"artsy\""});
  CHECK(tags.users == std::vector<ExternalId>{567});
  CHECK(tags.items == std::vector<ExternalId>{4552});
  CHECK(parseError([] { parseTags("userId,movieId,tag,timestamp\n1,x,funny,5\n"); }) ==
        "tags.csv line 2: movieId 'x' is not an integer");
  CHECK(parseError([] {
          parseTags("userId,movieId,timestamp\n1,2,5\n");
        }).rfind("tags.csv line 1: missing column 'tag'", 0) == 0);
}

TEST_CASE("loadMovieLens: catalogue, item text, sessions", "[movielens]") {
  MovieLensFiles files;
  std::string ratings =
      "userId,movieId,rating,timestamp\n"
      "2,20,4.0,100\n"
      "1,10,3.5,50\n"
      "2,10,2.0,5000\n"
      "2,30,1.0,5100\n";
  std::string movies =
      "movieId,title,genres\n"
      "10,\"Ten, The (1990)\",Drama|Comedy\n"
      "40,Forty (2000),(no genres listed)\n"
      "20,Twenty,\n";
  std::string tags =
      "userId,movieId,tag,timestamp\n"
      "1,10,great fun,1\n"
      "1,99,unknown movie,2\n"
      "2,40,quiet,3\n"
      "3,10,classic,4\n";
  files.ratings = ratings;
  files.movies = movies;
  files.tags = tags;
  MovieLensOptions options;
  options.sessionGapSeconds = 3600;
  Dataset data = loadMovieLens(files, options);
  const Interactions& rows = *data.interactions;
  CHECK(rows.users().externalIds() == std::vector<ExternalId>{1, 2});
  // Rated items plus movies.csv's (40 was never rated); 99 is only in tags: not an item.
  CHECK(rows.items().externalIds() == std::vector<ExternalId>{10, 20, 30, 40});
  CHECK(rows.numRows() == 4);
  CHECK(rows.userOfRow() == std::vector<std::int32_t>{1, 0, 1, 1});
  CHECK(rows.values() == std::vector<double>{4.0, 3.5, 2.0, 1.0});
  REQUIRE(data.itemText);
  CHECK(*data.itemText == std::vector<std::string>{"Ten, The (1990) Drama Comedy great fun classic",
                                                   "Twenty", "",
                                                   "Forty (2000) (no genres listed) quiet"});
  // User 1: [10]; user 2: 20 at 100, then 10 at 5000 (gap 4900 > 3600), 30 at 5100.
  REQUIRE(data.sessions);
  CHECK(*data.sessions == std::vector<std::vector<std::int32_t>>{{0}, {1}, {0, 2}});
  CHECK(data.sessionGapSeconds == 3600);

  files.movies.reset();
  files.tags.reset();
  Dataset bare = loadMovieLens(files);
  CHECK(bare.itemText == nullptr);
  CHECK(bare.interactions->numItems() == 3);

  // A bad optional file fails the whole load.
  files.tags = std::string_view("userId,movieId,tag,timestamp\n1,10,ok,1\n1,10,bad\n");
  CHECK(parseError([&] { loadMovieLens(files); }) == "tags.csv line 3: expected 4 fields, found 3");
  files.tags.reset();
  options.sessionGapSeconds = -1;
  CHECK_THROWS_AS(loadMovieLens(files, options), Error);
  // Without timestamps there are no sessions.
  files.ratings = "userId,movieId,rating\n1,2,3\n";
  CHECK(loadMovieLens(files).sessions == nullptr);
}

TEST_CASE("loadMovieLens reads ml-latest-small", "[movielens]") {
  std::string ratings = readFile(kMovieLens + "ratings.csv");
  std::string movies = readFile(kMovieLens + "movies.csv");
  std::string tags = readFile(kMovieLens + "tags.csv");
  REQUIRE(!ratings.empty());
  CHECK(parseMovies(movies).ids.size() == 9742);
  CHECK(parseTags(tags).tags.size() == 3683);

  MovieLensFiles files;
  files.ratings = ratings;
  files.movies = movies;
  files.tags = tags;
  Dataset data = loadMovieLens(files);
  const Interactions& rows = *data.interactions;
  CHECK(rows.numRows() == 100836);
  CHECK(rows.numUsers() == 610);
  CHECK(rows.numItems() == 9742);  // 9,724 rated + 18 never rated, all in movies.csv
  CHECK(rows.hasTimestamps());
  CHECK(std::accumulate(rows.values().begin(), rows.values().end(), 0.0) == 353083.0);
  // Independent figures (pandas): 6,960 sessions at a one-hour gap; the text of two movies.
  CHECK(data.sessions->size() == 6960);
  const IdMap& items = rows.items();
  CHECK((*data.itemText)[static_cast<std::size_t>(*items.dense(1))] ==
        "Toy Story (1995) Adventure Animation Children Comedy Fantasy pixar pixar fun");
  CHECK((*data.itemText)[static_cast<std::size_t>(*items.dense(11))] ==
        "American President, The (1995) Comedy Drama Romance politics president");

  // The notebook's split on real data: one test row per user.
  TrainTestSplit split = leaveOneOutSplit(rows, 42);
  CHECK(split.test.numRows() == 610);
  CHECK(split.train.numRows() == 100836 - 610);
}
