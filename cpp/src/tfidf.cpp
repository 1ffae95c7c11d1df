#include "recwasm/tfidf.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "recwasm/cold.h"
#include "recwasm/error.h"
#include "unicode_tables.h"

namespace recwasm {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Range {
  std::uint32_t first;
  std::uint32_t last;
};

// Every code point first, first + stride, ..., last lowers to itself + delta.
struct LowerRun {
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t stride;
  std::int32_t delta;
};

// The generated tables are LEB128 byte strings (see make_unicode_tables.py) because every page
// downloads them; they are decoded once, on first use, into the arrays the lookups search.
class Leb128 {
 public:
  template <std::size_t N>
  explicit Leb128(const unsigned char (&bytes)[N]) : at_(bytes), end_(bytes + N) {}
  bool done() const { return at_ == end_; }
  std::uint32_t next() {
    std::uint32_t value = 0;
    for (int shift = 0; at_ != end_; shift += 7) {
      const unsigned char byte = *at_++;
      value |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) break;
    }
    return value;
  }

 private:
  const unsigned char* at_;
  const unsigned char* end_;
};

template <std::size_t N>
RECWASM_COLD std::vector<Range> decodeRanges(const unsigned char (&bytes)[N]) {
  std::vector<Range> out;
  Leb128 in(bytes);
  std::uint32_t nextFirst = 0;  // one past the previous range's last
  while (!in.done()) {
    const std::uint32_t first = nextFirst + in.next();
    const std::uint32_t last = first + in.next();
    out.push_back({first, last});
    nextFirst = last + 1;
  }
  return out;
}

RECWASM_COLD std::vector<LowerRun> decodeLowerRuns() {
  std::vector<LowerRun> out;
  Leb128 in(unicode::kLowerRuns);
  std::uint32_t first = 0;
  while (!in.done()) {
    first += in.next();
    const std::uint32_t last = first + in.next();
    const std::uint32_t stride = in.next();
    const std::uint32_t zigzag = in.next();
    const auto delta = static_cast<std::int32_t>((zigzag >> 1) ^ (0u - (zigzag & 1u)));
    out.push_back({first, last, stride, delta});
  }
  return out;
}

struct UnicodeTables {
  std::vector<Range> word;
  std::vector<LowerRun> lower;
  std::vector<Range> caseIgnorable;
  std::vector<Range> cased;
};

// Out of line so that the decoding stays optimised for size (it runs once).
[[gnu::noinline]] RECWASM_COLD UnicodeTables decodeTables() {
  return {decodeRanges(unicode::kWordRanges), decodeLowerRuns(),
          decodeRanges(unicode::kCaseIgnorableRanges), decodeRanges(unicode::kCasedRanges)};
}

const UnicodeTables& tables() {
  static const UnicodeTables decoded = decodeTables();
  return decoded;
}

bool inRanges(const std::vector<Range>& ranges, char32_t c) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                             [](char32_t value, const Range& r) { return value < r.first; });
  return it != ranges.begin() && c <= (it - 1)->last;
}

bool isWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  return inRanges(tables().word, c);
}

char32_t simpleLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  const auto& runs = tables().lower;
  auto it = std::upper_bound(runs.begin(), runs.end(), c,
                             [](char32_t value, const LowerRun& r) { return value < r.first; });
  if (it == runs.begin()) return c;
  const LowerRun& run = *(it - 1);
  if (c > run.last || (c - run.first) % run.stride != 0) return c;
  return static_cast<char32_t>(static_cast<std::int64_t>(c) + run.delta);
}

// One code point per well-formed UTF-8 sequence; any other byte becomes U+FFFD on its own.
std::vector<char32_t> decodeUtf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto continuation = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i < n && s[i] >= lo && s[i] <= hi;
  };
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = s[i];
    if (b < 0x80) {
      out.push_back(b);
      i += 1;
    } else if (b >= 0xC2 && b <= 0xDF && continuation(i + 1)) {
      out.push_back(((b & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu));
      i += 2;
    } else if (b >= 0xE0 && b <= 0xEF &&
               continuation(i + 1, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF) &&
               continuation(i + 2)) {
      out.push_back(((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu));
      i += 3;
    } else if (b >= 0xF0 && b <= 0xF4 &&
               continuation(i + 1, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF) &&
               continuation(i + 2) && continuation(i + 3)) {
      out.push_back(((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                    (s[i + 3] & 0x3Fu));
      i += 4;
    } else {
      out.push_back(kReplacement);
      i += 1;
    }
  }
  return out;
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Python's Final_Sigma context: a cased letter before (case-ignorable characters skipped) and
// no cased letter after (likewise), looked up in the text before lowercasing.
bool isFinalSigma(const std::vector<char32_t>& text, std::size_t i) {
  std::size_t j = i;
  while (j > 0 && inRanges(tables().caseIgnorable, text[j - 1])) --j;
  if (j == 0 || !inRanges(tables().cased, text[j - 1])) return false;
  j = i + 1;
  while (j < text.size() && inRanges(tables().caseIgnorable, text[j])) ++j;
  return j == text.size() || !inRanges(tables().cased, text[j]);
}

std::vector<char32_t> pythonLower(const std::vector<char32_t>& text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c == 0x130) {  // the one capital whose lowercase is two code points
      out.push_back('i');
      out.push_back(0x307);
    } else if (c == 0x3A3) {
      out.push_back(isFinalSigma(text, i) ? 0x3C2 : 0x3C3);
    } else {
      out.push_back(simpleLower(c));
    }
  }
  return out;
}

bool isStopWord(const std::string& token) {
  const auto& words = englishStopWords();
  return std::binary_search(words.begin(), words.end(), std::string_view(token));
}

}  // namespace

const std::vector<std::string_view>& englishStopWords() {
  // scikit-learn's ENGLISH_STOP_WORDS (sklearn.feature_extraction._stop_words), sorted, as one
  // text: 318 separate literals cost the module 2.5 KB of pointers.
  static constexpr std::string_view kText =
      "a about above across after afterwards again against all almost alone along already "
      "also although always am among amongst amoungst amount an and another any anyhow "
      "anyone anything anyway anywhere are around as at back be became because become "
      "becomes becoming been before beforehand behind being below beside besides between "
      "beyond bill both bottom but by call can cannot cant co con could couldnt cry de "
      "describe detail do done down due during each eg eight either eleven else elsewhere "
      "empty enough etc even ever every everyone everything everywhere except few fifteen "
      "fifty fill find fire first five for former formerly forty found four from front full "
      "further get give go had has hasnt have he hence her here hereafter hereby herein "
      "hereupon hers herself him himself his how however hundred i ie if in inc indeed "
      "interest into is it its itself keep last latter latterly least less ltd made many may "
      "me meanwhile might mill mine more moreover most mostly move much must my myself name "
      "namely neither never nevertheless next nine no nobody none noone nor not nothing now "
      "nowhere of off often on once one only onto or other others otherwise our ours "
      "ourselves out over own part per perhaps please put rather re same see seem seemed "
      "seeming seems serious several she should show side since sincere six sixty so some "
      "somehow someone something sometime sometimes somewhere still such system take ten "
      "than that the their them themselves then thence there thereafter thereby therefore "
      "therein thereupon these they thick thin third this those though three through "
      "throughout thru thus to together too top toward towards twelve twenty two un under "
      "until up upon us very via was we well were what whatever when whence whenever where "
      "whereafter whereas whereby wherein whereupon wherever whether which while whither who "
      "whoever whole whom whose why will with within without would yet you your yours "
      "yourself yourselves ";
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> out;
    for (std::size_t at = 0; at < kText.size();) {
      const std::size_t end = kText.find(' ', at);
      out.push_back(kText.substr(at, end - at));
      at = end + 1;
    }
    return out;
  }();
  return words;
}

std::vector<std::string> analyzeText(std::string_view text, bool removeStopWords) {
  const std::vector<char32_t> lowered = pythonLower(decodeUtf8(text));
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < lowered.size()) {
    if (!isWordChar(lowered[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < lowered.size() && isWordChar(lowered[end])) ++end;
    if (end - i >= 2) {
      std::string token;
      for (std::size_t j = i; j < end; ++j) appendUtf8(token, lowered[j]);
      if (!removeStopWords || !isStopWord(token)) tokens.push_back(std::move(token));
    }
    i = end;
  }
  return tokens;
}

TfidfMatrix fitTfidf(const std::vector<std::string>& documents, const TfidfOptions& options) {
  require(options.maxFeatures >= 0, "maxFeatures must be 0 (no limit) or positive");

  // Count terms per document, numbering terms in order of first appearance.
  std::unordered_map<std::string, std::int32_t> termIndex;
  std::vector<std::string> seenTerms;
  std::vector<std::int32_t> docOffsets{0}, docTerms, docCounts;
  std::vector<std::int32_t> slot;  // term -> position in the current document's entries, or -1
  for (const std::string& doc : documents) {
    const std::size_t begin = docTerms.size();
    for (std::string& token : analyzeText(doc, options.removeStopWords)) {
      auto [it, inserted] = termIndex.emplace(std::move(token), 0);
      if (inserted) {
        it->second = static_cast<std::int32_t>(seenTerms.size());
        seenTerms.push_back(it->first);
        slot.push_back(-1);
      }
      std::int32_t& s = slot[static_cast<std::size_t>(it->second)];
      if (s < 0) {
        s = static_cast<std::int32_t>(docTerms.size());
        docTerms.push_back(it->second);
        docCounts.push_back(0);
      }
      ++docCounts[static_cast<std::size_t>(s)];
    }
    for (std::size_t e = begin; e < docTerms.size(); ++e) {
      slot[static_cast<std::size_t>(docTerms[e])] = -1;
    }
    docOffsets.push_back(static_cast<std::int32_t>(docTerms.size()));
  }
  require(!seenTerms.empty(),
          "item text has no terms (no run of two or more word characters outside the stop list)");

  // Columns follow the vocabulary in code point order (UTF-8 byte order is code point order).
  const std::size_t vocabulary = seenTerms.size();
  std::vector<std::int32_t> byName(vocabulary);
  std::iota(byName.begin(), byName.end(), 0);
  std::sort(byName.begin(), byName.end(), [&](std::int32_t a, std::int32_t b) {
    return seenTerms[static_cast<std::size_t>(a)] < seenTerms[static_cast<std::size_t>(b)];
  });
  std::vector<std::int32_t> column(vocabulary);  // first-seen id -> sorted position
  for (std::size_t pos = 0; pos < vocabulary; ++pos) {
    column[static_cast<std::size_t>(byName[pos])] = static_cast<std::int32_t>(pos);
  }

  std::vector<std::uint8_t> keep(vocabulary, 1);
  if (options.maxFeatures > 0 && vocabulary > static_cast<std::size_t>(options.maxFeatures)) {
    std::vector<std::int64_t> totals(vocabulary, 0);
    for (std::size_t e = 0; e < docTerms.size(); ++e) {
      totals[static_cast<std::size_t>(column[static_cast<std::size_t>(docTerms[e])])] +=
          docCounts[e];
    }
    std::vector<std::int32_t> order(vocabulary);
    std::iota(order.begin(), order.end(), 0);
    auto cutoff = order.begin() + options.maxFeatures;
    std::nth_element(order.begin(), cutoff, order.end(), [&](std::int32_t a, std::int32_t b) {
      const auto ta = totals[static_cast<std::size_t>(a)];
      const auto tb = totals[static_cast<std::size_t>(b)];
      return ta > tb || (ta == tb && a < b);
    });
    std::fill(keep.begin(), keep.end(), 0);
    for (auto it = order.begin(); it != cutoff; ++it) keep[static_cast<std::size_t>(*it)] = 1;
  }
  std::vector<std::int32_t> kept(vocabulary, -1);  // sorted position -> final column
  TfidfMatrix out;
  for (std::size_t pos = 0; pos < vocabulary; ++pos) {
    if (!keep[pos]) continue;
    kept[pos] = static_cast<std::int32_t>(out.terms.size());
    out.terms.push_back(seenTerms[static_cast<std::size_t>(byName[pos])]);
  }

  // Rows with columns ascending; document frequencies; then tf * idf, L2-normalised.
  std::vector<std::int32_t> df(out.terms.size(), 0);
  std::vector<std::pair<std::int32_t, std::int32_t>> entries;
  SparseRows& rows = out.rows;
  for (std::size_t d = 0; d < documents.size(); ++d) {
    entries.clear();
    for (std::int32_t e = docOffsets[d]; e < docOffsets[d + 1]; ++e) {
      const std::int32_t col =
          kept[static_cast<std::size_t>(column[static_cast<std::size_t>(docTerms[e])])];
      if (col >= 0) entries.emplace_back(col, docCounts[static_cast<std::size_t>(e)]);
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& [col, count] : entries) {
      ++df[static_cast<std::size_t>(col)];
      rows.indices.push_back(col);
      rows.values.push_back(static_cast<double>(count));
    }
    rows.offsets.push_back(static_cast<std::int32_t>(rows.indices.size()));
  }
  const double n = static_cast<double>(documents.size());
  out.idf.resize(out.terms.size());
  for (std::size_t t = 0; t < out.idf.size(); ++t) {
    out.idf[t] = std::log((1.0 + n) / (1.0 + static_cast<double>(df[t]))) + 1.0;
  }
  for (std::int32_t r = 0; r < rows.rows(); ++r) {
    double sumSquares = 0.0;
    for (std::int32_t e = rows.offsets[r]; e < rows.offsets[r + 1]; ++e) {
      double& v = rows.values[static_cast<std::size_t>(e)];
      v *= out.idf[static_cast<std::size_t>(rows.indices[static_cast<std::size_t>(e)])];
      sumSquares += v * v;
    }
    if (sumSquares == 0.0) continue;
    const double norm = std::sqrt(sumSquares);
    for (std::int32_t e = rows.offsets[r]; e < rows.offsets[r + 1]; ++e) {
      rows.values[static_cast<std::size_t>(e)] /= norm;
    }
  }
  return out;
}

}  // namespace recwasm
