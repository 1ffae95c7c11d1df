// Reading delimited text that is already in memory (the core never opens files): CSV as
// RFC 4180 writes it, and tab-separated lines (MovieLens u.data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace recwasm {

/// One record: its fields and the 1-based line on which it starts (for error messages).
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string_view> fields;
};

/// Splits text into records.
///
/// - A UTF-8 byte-order mark at the very start is skipped.
/// - Records end at LF or CRLF; the last record may lack a line end. Empty lines are skipped.
/// - With `separator` ',' fields may be quoted: `"a, b"` is one field, `""` inside quotes is one
///   quote, and quoted fields may span lines. A quote inside an unquoted field is kept as is.
///   With '\t' there is no quoting (u.data has none).
/// - An unterminated quote, or text between a closing quote and the next separator, throws
///   kParseError "<label> line N: ..." naming the line where the record starts.
///
/// Fields are views into `text` (or into the reader, for quoted fields with doubled quotes) and
/// stay valid until the next call of next(); `text` must outlive the reader.
class CsvReader {
 public:
  CsvReader(std::string_view text, char separator, std::string label);

  /// Reads the next record into `record`; false when the text is exhausted.
  bool next(CsvRecord& record);

  /// True when the text holds nothing but a byte-order mark and line ends.
  bool empty() const;

  /// Throws kParseError "<label> line <line>: <problem>".
  [[noreturn]] void fail(std::size_t line, const std::string& problem) const;

  const std::string& label() const { return label_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  char separator_;
  std::string label_;
  std::deque<std::string> unescaped_;  // deque: growing it never moves the strings views point at
};

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values > U+10FFFF).
bool isValidUtf8(std::string_view text);

/// `text` without leading and trailing spaces and tabs.
std::string_view trimBlanks(std::string_view text);

}  // namespace recwasm
