// scikit-learn's TfidfVectorizer with its default word analyzer, reproduced for item text
// (DESIGN.md, "Notebook semantics": content_tfidf).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recwasm/interactions.h"

namespace recwasm {

/// Text -> terms, as scikit-learn's analyzer does it under Python 3.11 (Unicode 14.0):
/// - the bytes are decoded as UTF-8; every byte that does not start a well-formed sequence
///   (overlong forms, surrogates and values above U+10FFFF included) becomes U+FFFD, which is
///   not a word character, so it separates tokens;
/// - lowercasing is Python's `str.lower()`: the full Unicode simple lowercase mapping (accented
///   capitals such as "É" -> "é", Greek, Cyrillic, ...), "İ" (U+0130) -> "i" + U+0307, and a
///   capital sigma becomes the final form "ς" where Python's Final_Sigma rule says so;
/// - tokens are the matches of `(?u)\b\w\w+\b`: maximal runs of at least two word characters,
///   where word characters are Python's `\w` (`str.isalnum()` or "_": letters, digits and other
///   numerals of every script; combining marks such as U+0301 are not word characters);
/// - with `removeStopWords`, tokens in scikit-learn's English stop list are dropped.
/// Tokens come back in text order, UTF-8 encoded.
std::vector<std::string> analyzeText(std::string_view text, bool removeStopWords);

/// scikit-learn's `ENGLISH_STOP_WORDS` (318 words), sorted.
const std::vector<std::string_view>& englishStopWords();

struct TfidfOptions {
  /// Keep at most this many terms, the most frequent over the corpus (sum of raw counts);
  /// 0 keeps every term. Ties at the cutoff keep the term that sorts first (code point order).
  /// scikit-learn's choice among tied terms depends on numpy's unstable argsort and is not
  /// reproducible; it only matters when more than maxFeatures distinct terms occur.
  int maxFeatures = 5000;
  bool removeStopWords = true;  ///< scikit-learn's `stop_words="english"`
};

/// A fitted TF-IDF matrix: tf = raw counts, idf = ln((1 + n) / (1 + df)) + 1 over n documents
/// (empty ones included), rows L2-normalised; a document without terms is an all-zero row.
struct TfidfMatrix {
  std::vector<std::string> terms;  ///< the vocabulary in code point order (the column order)
  std::vector<double> idf;         ///< one per term
  SparseRows rows;                 ///< one per document, columns ascending
};

/// Fits on `documents` and transforms them. Throws kInvalidArgument when no document has a
/// term (scikit-learn: "empty vocabulary") or maxFeatures < 0.
TfidfMatrix fitTfidf(const std::vector<std::string>& documents, const TfidfOptions& options = {});

}  // namespace recwasm
