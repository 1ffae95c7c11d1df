#include "recwasm/movielens.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "recwasm/cold.h"
#include "recwasm/csv.h"
#include "recwasm/error.h"
#include "recwasm/sessions.h"

#include "decimal.h"

namespace recwasm {

namespace {

constexpr std::size_t kMissing = static_cast<std::size_t>(-1);

std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  out += text.substr(0, kShown);
  if (text.size() > kShown) out += "...";
  return out + "'";
}

// "<column> '<text>'<problem>" as a parse error. Out of line and optimised for size: these
// messages are built only for bad input, and inlined they tripled the size of the parsers
// every field goes through.
[[noreturn]] [[gnu::noinline]] RECWASM_COLD void failField(const CsvReader& reader,
                                                           const CsvRecord& record,
                                                           const char* column,
                                                           std::string_view text,
                                                           const char* problem) {
  reader.fail(record.line, std::string(column) + " " + quoted(text) + problem);
}

// "expected <what>, found <n> fields"; `what` defaults to "<count> fields".
[[noreturn]] [[gnu::noinline]] RECWASM_COLD void failFieldCount(const CsvReader& reader,
                                                                const CsvRecord& record,
                                                                std::size_t count,
                                                                const char* what = nullptr) {
  reader.fail(record.line, "expected " +
                               (what ? std::string(what) : std::to_string(count) + " fields") +
                               ", found " + std::to_string(record.fields.size()));
}

[[noreturn]] [[gnu::noinline]] RECWASM_COLD void failText(const CsvReader& reader,
                                                          const CsvRecord& record,
                                                          const char* column) {
  reader.fail(record.line, std::string(column) + " is not valid UTF-8 text");
}

[[noreturn]] [[gnu::noinline]] RECWASM_COLD void failMissing(const CsvReader& reader,
                                                             const CsvRecord& record,
                                                             const char* column) {
  reader.fail(record.line, std::string("missing ") + column);
}

bool isAsciiDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An integer within +-(2^53 - 1), or a parse error naming the column.
std::int64_t parseInteger(const CsvReader& reader, const CsvRecord& record, std::string_view field,
                          const char* column) {
  std::string_view s = trimBlanks(field);
  if (s.empty()) failMissing(reader, record, column);
  bool negative = s[0] == '-';
  std::string_view digits = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  if (!isAsciiDigits(digits)) {
    failField(reader, record, column, s, " is not an integer");
  }
  std::uint64_t value = 0;
  for (char c : digits) {
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > static_cast<std::uint64_t>(kMaxExternalId)) {
      failField(reader, record, column, s,
                " is beyond 2^53 - 1, the largest integer JavaScript represents exactly");
    }
  }
  auto signedValue = static_cast<std::int64_t>(value);
  return negative ? -signedValue : signedValue;
}

// A finite decimal number: [+-] digits [. digits] [e [+-] digits], no "nan", "inf", hex or
// blanks.
double parseNumber(const CsvReader& reader, const CsvRecord& record, std::string_view field,
                   const char* column) {
  std::string_view s = trimBlanks(field);
  if (s.empty()) failMissing(reader, record, column);
  std::size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  std::size_t intDigits = 0, fracDigits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++intDigits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++fracDigits;
  }
  bool ok = intDigits + fracDigits > 0;
  if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t expDigits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++expDigits;
    ok = expDigits > 0;
  }
  if (!ok || i != s.size()) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::string_view body = lower;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
    if (body == "nan" || body == "inf" || body == "infinity") {
      failField(reader, record, column, s, " is not a finite number");
    }
    failField(reader, record, column, s, " is not a number");
  }
  // Fast path: no exponent and at most 15 digits, so the digits are an exact integer below 2^53
  // and 10^fraction is exact; one IEEE division then rounds correctly (Clinger's fast path).
  // Ratings ("4.5") always take it.
  if (intDigits + fracDigits <= 15 && i == s.size() &&
      s.find_first_of("eE") == std::string_view::npos) {
    std::uint64_t mantissa = 0;
    for (char c : s) {
      if (c >= '0' && c <= '9') mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const double value = static_cast<double>(mantissa) / kExactPowersOfTen[fracDigits];
    return s[0] == '-' ? -value : value;
  }
  constexpr std::size_t kLongest = 63;
  if (s.size() > kLongest) {
    failField(reader, record, column, s, " is too long a number");
  }
  const double value = decimalToDouble(s);
  if (!std::isfinite(value)) {
    failField(reader, record, column, s, " is not a finite number");
  }
  return value;
}

// A rating as Interactions accepts it (within +-kMaxValueMagnitude), or an error naming the line.
double parseRating(const CsvReader& reader, const CsvRecord& record, std::string_view field) {
  double value = parseNumber(reader, record, field, "rating");
  if (std::fabs(value) > kMaxValueMagnitude) {
    failField(reader, record, "rating", trimBlanks(field), " lies beyond +-1e9");
  }
  return value;
}

std::string_view utf8Text(const CsvReader& reader, const CsvRecord& record, std::string_view s,
                          const char* column) {
  if (!isValidUtf8(s)) {
    failText(reader, record, column);
  }
  return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The columns a file's records use: positions of the named columns (kMissing when absent)
// and the field count every record must have.
struct Columns {
  std::vector<std::size_t> position;
  std::size_t count = 0;
};

// A file's columns in the order they take without a header, and which of them must be present.
struct ColumnSpec {
  const char* name;
  bool required;
};

// Reads the header of a comma-separated file. A first record whose first field is an integer
// is data, not a header: the columns then follow `specs` in order, and only trailing optional
// columns may be absent.
Columns readHeader(CsvReader& reader, CsvRecord& first, bool& firstIsData,
                   const std::vector<ColumnSpec>& specs) {
  if (reader.empty()) reader.fail(1, "the file is empty");
  reader.next(first);
  Columns columns;
  columns.position.assign(specs.size(), kMissing);
  columns.count = first.fields.size();
  std::string_view head = trimBlanks(first.fields[0]);
  if (!head.empty() && (head[0] == '-' || head[0] == '+')) head.remove_prefix(1);
  firstIsData = isAsciiDigits(head);
  std::string expected;
  for (std::size_t c = 0; c < specs.size(); ++c)
    expected += (c ? "," : "") + std::string(specs[c].name);

  if (firstIsData) {
    std::size_t fewest = 0;
    for (std::size_t c = 0; c < specs.size(); ++c) {
      if (specs[c].required) fewest = c + 1;
    }
    if (columns.count < fewest || columns.count > specs.size()) {
      reader.fail(first.line, "expected the fields " + expected +
                                  " (the first line is not a "
                                  "header), found " +
                                  std::to_string(columns.count) + " fields");
    }
    for (std::size_t c = 0; c < columns.count; ++c) columns.position[c] = c;
    return columns;
  }
  for (std::size_t f = 0; f < first.fields.size(); ++f) {
    std::string_view name = trimBlanks(first.fields[f]);
    for (std::size_t c = 0; c < specs.size(); ++c) {
      if (!equalsIgnoringCase(name, specs[c].name)) continue;
      if (columns.position[c] != kMissing) {
        reader.fail(first.line, "column '" + std::string(specs[c].name) + "' appears twice");
      }
      columns.position[c] = f;
    }
  }
  for (std::size_t c = 0; c < specs.size(); ++c) {
    if (specs[c].required && columns.position[c] == kMissing) {
      reader.fail(first.line, "missing column '" + std::string(specs[c].name) +
                                  "' (expected a header " + expected + ")");
    }
  }
  return columns;
}

void requireFieldCount(const CsvReader& reader, const CsvRecord& record, std::size_t count) {
  if (record.fields.size() != count) {
    failFieldCount(reader, record, count);
  }
}

// Calls `row(record)` for every data record of a comma-separated file with a header.
template <class Row>
void forEachCsvRow(CsvReader& reader, const std::vector<ColumnSpec>& specs, Row&& row) {
  CsvRecord record;
  bool firstIsData = false;
  Columns columns = readHeader(reader, record, firstIsData, specs);
  if (firstIsData) row(columns, record);
  while (reader.next(record)) {
    requireFieldCount(reader, record, columns.count);
    row(columns, record);
  }
}

// One row per line at most: reserving avoids regrowing the columns while parsing.
void reserveRows(std::string_view text, RatingRows& rows) {
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  rows.users.reserve(lines);
  rows.items.reserve(lines);
  rows.ratings.reserve(lines);
  rows.timestamps.reserve(lines);
}

RatingRows parseUData(std::string_view text) {
  CsvReader reader(text, '\t', "u.data");
  RatingRows out;
  reserveRows(text, out);
  CsvRecord record;
  while (reader.next(record)) {
    if (record.fields.size() != 4) {
      failFieldCount(reader, record, 4, "4 tab-separated fields (user item rating timestamp)");
    }
    out.users.push_back(parseInteger(reader, record, record.fields[0], "user id"));
    out.items.push_back(parseInteger(reader, record, record.fields[1], "item id"));
    out.ratings.push_back(parseRating(reader, record, record.fields[2]));
    out.timestamps.push_back(parseInteger(reader, record, record.fields[3], "timestamp"));
  }
  if (out.users.empty()) reader.fail(1, "the file is empty");
  return out;
}

}  // namespace

RatingRows parseRatings(std::string_view text) {
  std::string_view firstLine = text.substr(0, text.find('\n'));
  if (firstLine.find('\t') != std::string_view::npos) return parseUData(text);

  CsvReader reader(text, ',', "ratings.csv");
  RatingRows out;
  reserveRows(text, out);
  forEachCsvRow(
      reader, {{"userId", true}, {"movieId", true}, {"rating", true}, {"timestamp", false}},
      [&](const Columns& c, const CsvRecord& r) {
        out.users.push_back(parseInteger(reader, r, r.fields[c.position[0]], "userId"));
        out.items.push_back(parseInteger(reader, r, r.fields[c.position[1]], "movieId"));
        out.ratings.push_back(parseRating(reader, r, r.fields[c.position[2]]));
        if (c.position[3] != kMissing) {
          out.timestamps.push_back(parseInteger(reader, r, r.fields[c.position[3]], "timestamp"));
        }
      });
  if (out.users.empty()) reader.fail(2, "the file has a header but no ratings");
  return out;
}

MovieRows parseMovies(std::string_view text) {
  CsvReader reader(text, ',', "movies.csv");
  MovieRows out;
  std::vector<std::size_t> lines;
  forEachCsvRow(
      reader, {{"movieId", true}, {"title", true}, {"genres", false}},
      [&](const Columns& c, const CsvRecord& r) {
        out.ids.push_back(parseInteger(reader, r, r.fields[c.position[0]], "movieId"));
        out.titles.emplace_back(utf8Text(reader, r, r.fields[c.position[1]], "title"));
        out.genres.emplace_back(c.position[2] == kMissing
                                    ? std::string_view()
                                    : utf8Text(reader, r, r.fields[c.position[2]], "genres"));
        lines.push_back(r.line);
      });
  std::vector<std::size_t> order(out.ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return out.ids[a] < out.ids[b]; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (out.ids[order[k]] == out.ids[order[k - 1]]) {
      reader.fail(lines[order[k]], "movieId " + std::to_string(out.ids[order[k]]) +
                                       " is listed again (first on line " +
                                       std::to_string(lines[order[k - 1]]) + ")");
    }
  }
  return out;
}

TagRows parseTags(std::string_view text) {
  CsvReader reader(text, ',', "tags.csv");
  TagRows out;
  forEachCsvRow(
      reader, {{"userId", false}, {"movieId", true}, {"tag", true}, {"timestamp", false}},
      [&](const Columns& c, const CsvRecord& r) {
        if (c.position[0] != kMissing) {
          out.users.push_back(parseInteger(reader, r, r.fields[c.position[0]], "userId"));
        }
        out.items.push_back(parseInteger(reader, r, r.fields[c.position[1]], "movieId"));
        out.tags.emplace_back(utf8Text(reader, r, r.fields[c.position[2]], "tag"));
        if (c.position[3] != kMissing) {
          out.timestamps.push_back(parseInteger(reader, r, r.fields[c.position[3]], "timestamp"));
        }
      });
  return out;
}

Dataset loadMovieLens(const MovieLensFiles& files, const MovieLensOptions& options) {
  require(options.sessionGapSeconds >= 0, "the session gap must not be negative");
  RatingRows ratings = parseRatings(files.ratings);
  MovieRows movies;
  if (files.movies) movies = parseMovies(*files.movies);
  TagRows tags;
  if (files.tags) tags = parseTags(*files.tags);

  Dataset data;
  data.interactions = std::make_shared<Interactions>(
      Interactions::fromExternal(ratings.users, ratings.items, std::move(ratings.ratings),
                                 std::move(ratings.timestamps), movies.ids));
  const IdMap& items = data.interactions->items();

  if (files.movies || files.tags) {
    auto text = std::make_shared<std::vector<std::string>>(static_cast<std::size_t>(items.size()));
    auto append = [&text](std::int32_t item, std::string_view part) {
      if (part.empty()) return;
      std::string& out = (*text)[static_cast<std::size_t>(item)];
      if (!out.empty()) out += ' ';
      out += part;
    };
    for (std::size_t m = 0; m < movies.ids.size(); ++m) {
      std::int32_t item = *items.dense(movies.ids[m]);
      append(item, movies.titles[m]);
      std::string_view genres = movies.genres[m];
      for (std::size_t start = 0; start <= genres.size();) {
        std::size_t bar = std::min(genres.find('|', start), genres.size());
        append(item, genres.substr(start, bar - start));
        start = bar + 1;
      }
    }
    for (std::size_t t = 0; t < tags.items.size(); ++t) {
      if (std::optional<std::int32_t> item = items.dense(tags.items[t]))
        append(*item, tags.tags[t]);
    }
    data.itemText = std::move(text);
  }

  if (data.interactions->hasTimestamps()) {
    data.sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>(
        sessionsFromTimestamps(*data.interactions, options.sessionGapSeconds));
    data.sessionGapSeconds = options.sessionGapSeconds;
  }
  return data;
}

}  // namespace recwasm
