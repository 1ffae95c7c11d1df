// Fuzzes the CSV and MovieLens loaders: arbitrary bytes as ratings.csv / u.data, movies.csv and
// tags.csv (the input's sections, split at NUL bytes). Every parser must either return rows
// that agree with each other or throw kParseError naming a line, never anything else; a loaded
// dataset must be consistent (text per item, sessions over the catalogue, one row per rating);
// and every registered model must fit on small loaded data and serve valid answers, so text of
// any shape also reaches the content model's tokenizer.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "recwasm/csv.h"
#include "recwasm/model_registry.h"
#include "recwasm/movielens.h"

using namespace recwasm;

namespace {

std::vector<std::string_view> sections(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    std::size_t end = text.find('\0', start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos || out.size() == 3) return out;
    start = end + 1;
  }
}

template <class F>
bool parses(F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kParseError});
    fuzz::expect(std::string(e.what()).find("line ") != std::string::npos,
                 "parse errors name a line");
    return false;
  }
}

void checkReader(std::string_view text, char separator) {
  CsvReader reader(text, separator, "fuzz");
  CsvRecord record;
  std::size_t lastLine = 0;
  parses([&] {
    while (reader.next(record)) {
      fuzz::expect(record.line > lastLine, "records start on increasing lines");
      fuzz::expect(!record.fields.empty(), "a record has at least one field");
      lastLine = record.line;
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts = sections(text);
  checkReader(parts[0], ',');
  checkReader(parts[0], '\t');

  RatingRows ratings;
  const bool ratingsOk = parses([&] { ratings = parseRatings(parts[0]); });
  if (ratingsOk) {
    fuzz::expect(!ratings.users.empty(), "a parsed ratings file has rows");
    fuzz::expect(
        ratings.items.size() == ratings.users.size() &&
            ratings.ratings.size() == ratings.users.size() &&
            (ratings.timestamps.empty() || ratings.timestamps.size() == ratings.users.size()),
        "rating columns have one entry per row");
  }
  MovieLensFiles files{parts[0], std::nullopt, std::nullopt};
  if (parts.size() > 1) {
    MovieRows movies;
    if (parses([&] { movies = parseMovies(parts[1]); })) {
      fuzz::expect(movies.titles.size() == movies.ids.size(), "one title per movie");
    }
    files.movies = parts[1];
  }
  if (parts.size() > 2) {
    TagRows tags;
    if (parses([&] { tags = parseTags(parts[2]); })) {
      fuzz::expect(tags.tags.size() == tags.items.size(), "one tag per row");
    }
    files.tags = parts[2];
  }

  Dataset loaded;
  if (!parses([&] { loaded = loadMovieLens(files); })) return 0;
  fuzz::expect(ratingsOk, "a dataset loads only when its ratings parse");
  const Interactions& table = *loaded.interactions;
  fuzz::expect(table.numRows() == ratings.users.size(), "one row per rating");
  if (loaded.itemText) {
    fuzz::expect(loaded.itemText->size() == static_cast<std::size_t>(table.numItems()),
                 "one text per catalogue item");
  }
  if (loaded.sessions) {
    std::size_t events = 0;
    for (const auto& session : *loaded.sessions) {
      fuzz::expect(!session.empty(), "sessions are not empty");
      for (std::int32_t item : session) {
        fuzz::expect(item >= 0 && item < table.numItems(), "sessions hold catalogue items");
      }
      events += session.size();
    }
    fuzz::expect(events == table.numRows(), "every timed rating is in one session");
  }
  if (table.numRows() > 200) return 0;  // fitting everything on big inputs only slows fuzzing
  for (const std::string& kind : modelKinds()) {
    std::unique_ptr<Recommender> model = createRecommender(kind, {});
    try {
      model->fit(loaded);
    } catch (const Error& e) {
      fuzz::expectCode(e, {ErrorCode::kInvalidArgument, ErrorCode::kTrainingDiverged});
      continue;
    }
    fuzz::exerciseFittedModel(*model);
  }
  return 0;
}
