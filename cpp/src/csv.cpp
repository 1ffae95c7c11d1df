#include "recwasm/csv.h"

#include <cstring>

#include "recwasm/error.h"

namespace recwasm {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Where the line end at `pos` (LF or CRLF) ends, or `pos` when there is none.
std::size_t afterLineEnd(std::string_view text, std::size_t pos) {
  if (pos < text.size() && text[pos] == '\n') return pos + 1;
  if (pos + 1 < text.size() && text[pos] == '\r' && text[pos + 1] == '\n') return pos + 2;
  return pos;
}

}  // namespace

CsvReader::CsvReader(std::string_view text, char separator, std::string label)
    : text_(text), separator_(separator), label_(std::move(label)) {
  if (text_.substr(0, kByteOrderMark.size()) == kByteOrderMark) pos_ = kByteOrderMark.size();
}

bool CsvReader::empty() const {
  std::size_t pos = pos_;
  for (;;) {
    std::size_t next = afterLineEnd(text_, pos);
    if (next == pos) return pos == text_.size();
    pos = next;
  }
}

void CsvReader::fail(std::size_t line, const std::string& problem) const {
  recwasm::fail(ErrorCode::kParseError, label_ + " line " + std::to_string(line) + ": " + problem);
}

bool CsvReader::next(CsvRecord& record) {
  for (std::size_t next = afterLineEnd(text_, pos_); next != pos_;
       next = afterLineEnd(text_, pos_)) {
    pos_ = next;
    ++line_;
  }
  if (pos_ >= text_.size()) return false;

  record.line = line_;
  record.fields.clear();
  if (!unescaped_.empty()) unescaped_.clear();
  const bool quoting = separator_ == ',';
  const std::size_t n = text_.size();
  const char* data = text_.data();

  for (;;) {
    if (quoting && pos_ < n && data[pos_] == '"') {
      std::size_t start = pos_ + 1;
      std::size_t scan = start;
      bool doubled = false;
      std::size_t close = std::string_view::npos;
      while (scan < n) {
        const void* hit = std::memchr(data + scan, '"', n - scan);
        std::size_t quote =
            hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - data) : n;
        for (std::size_t i = scan; i < quote; ++i) line_ += data[i] == '\n';
        if (quote == n) break;
        if (quote + 1 < n && data[quote + 1] == '"') {
          doubled = true;
          scan = quote + 2;
          continue;
        }
        close = quote;
        break;
      }
      if (close == std::string_view::npos) fail(record.line, "unterminated quoted field");
      std::string_view raw = text_.substr(start, close - start);
      if (doubled) {
        std::string& out = unescaped_.emplace_back();
        out.reserve(raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i) {
          out += raw[i];
          if (raw[i] == '"') ++i;  // the second quote of a doubled pair
        }
        record.fields.emplace_back(out);
      } else {
        record.fields.push_back(raw);
      }
      pos_ = close + 1;
      if (pos_ < n && data[pos_] != separator_ && afterLineEnd(text_, pos_) == pos_) {
        fail(record.line,
             "unexpected text after a closing quote (a quote inside a quoted field "
             "must be doubled)");
      }
    } else {
      std::size_t end = pos_;
      while (end < n && data[end] != separator_ && data[end] != '\n') ++end;
      std::size_t fieldEnd = end;
      if (fieldEnd > pos_ && data[fieldEnd - 1] == '\r' && (end == n || data[end] == '\n')) {
        --fieldEnd;  // the CR of a CRLF line end
      }
      record.fields.push_back(text_.substr(pos_, fieldEnd - pos_));
      pos_ = end;
    }

    if (pos_ < n && data[pos_] == separator_) {
      ++pos_;
      continue;
    }
    std::size_t next = afterLineEnd(text_, pos_);
    if (next != pos_) {
      pos_ = next;
      ++line_;
    }
    return true;
  }
}

bool isValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string_view trimBlanks(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

}  // namespace recwasm
