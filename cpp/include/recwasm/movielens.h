// MovieLens files read from text already in memory (the caller reads the files; the core does
// no file I/O, so the same code serves the browser, Node and native tools).
//
// Every parser validates the whole text before returning; a bad line throws kParseError
// "<file> line N: <problem>" and nothing is returned, so there is never a half-loaded dataset.
// Problems reported: an empty file, a header without a required column, a line with the wrong
// number of fields, an id or timestamp that is not an integer or lies beyond +-(2^53 - 1) (the
// integers JavaScript represents exactly; ids beyond 32 bits are fine), a rating that is not a
// number or is NaN or infinite, an unterminated quote, text that is not UTF-8, a movieId listed
// twice in movies.csv.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recwasm/interactions.h"

namespace recwasm {

/// Rating rows in file order, in the file's ids.
struct RatingRows {
  std::vector<ExternalId> users;
  std::vector<ExternalId> items;
  std::vector<double> ratings;
  std::vector<std::int64_t> timestamps;  ///< one per row, or empty when the file has none
};

/// `ratings.csv` (comma-separated, header naming userId, movieId, rating and optionally
/// timestamp, in any order, other columns ignored; without a header the columns are
/// userId,movieId,rating[,timestamp]) or `u.data` (tab-separated user item rating timestamp, no
/// header), told apart by a tab in the first line. At least one row is required.
RatingRows parseRatings(std::string_view text);

struct MovieRows {
  std::vector<ExternalId> ids;
  std::vector<std::string> titles;
  std::vector<std::string> genres;  ///< as written ("Adventure|Comedy"), empty if no column
};

/// `movies.csv`: movieId,title[,genres] (header as for ratings; no header: that order).
MovieRows parseMovies(std::string_view text);

struct TagRows {
  std::vector<ExternalId> users;  ///< empty when the file has no userId column
  std::vector<ExternalId> items;
  std::vector<std::string> tags;
  std::vector<std::int64_t> timestamps;  ///< empty when the file has no timestamp column
};

/// `tags.csv`: userId,movieId,tag,timestamp (movieId and tag required).
TagRows parseTags(std::string_view text);

struct MovieLensFiles {
  std::string_view ratings;
  std::optional<std::string_view> movies;
  std::optional<std::string_view> tags;
};

struct MovieLensOptions {
  /// Sessions for co-visitation break where consecutive events are more than this apart.
  std::int64_t sessionGapSeconds = 3600;
};

/// The dataset DESIGN.md "The same rules on real data" describes:
/// - users: every userId in the ratings; items: every movieId in the ratings and in movies.csv
///   (never-rated movies can still be recommended by content); dense ids ascend with the ids;
/// - rows: the ratings in file order, values as given, with timestamps when the file has them;
/// - item text (when movies.csv or tags.csv is given): the title, then the genres with `|` read
///   as spaces, then the item's tags in file order, joined by single spaces (empty parts are
///   dropped). Tags of movies outside the catalogue are ignored;
/// - sessions (when the ratings have timestamps): sessionsFromTimestamps with the given gap,
///   and `sessionGapSeconds` set so that splits rebuild them from the training rows.
Dataset loadMovieLens(const MovieLensFiles& files, const MovieLensOptions& options = {});

}  // namespace recwasm
