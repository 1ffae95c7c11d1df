// Shared pieces of the fuzz targets: a reader that turns fuzz bytes into values, and the
// invariants every answer of a model must satisfy whatever it was asked.
//
// The rule all targets enforce: bad input may only ever surface as a recwasm::Error with a
// documented code. Any other exception escapes the target (libFuzzer reports it as a crash),
// and a violated invariant aborts with a message naming it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "recwasm/error.h"
#include "recwasm/recommender.h"

namespace recwasm::fuzz {

/// What the target is doing (e.g. the model kind being served), named in every report.
inline std::string& context() {
  static std::string current;
  return current;
}

/// Sets context() for a scope.
class Context {
 public:
  explicit Context(std::string what) : saved_(std::move(context())) { context() = std::move(what); }
  ~Context() { context() = std::move(saved_); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

 private:
  std::string saved_;
};

[[noreturn]] inline void violated(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant violated: %s (%s)\n", what.c_str(), context().c_str());
  std::abort();
}

inline void expect(bool condition, const char* what) {
  if (!condition) violated(what);
}

/// Errors a call may raise on bad input; anything else (kInternal included) is a bug.
inline void expectCode(const Error& e, std::initializer_list<ErrorCode> allowed) {
  for (ErrorCode code : allowed) {
    if (e.code() == code) return;
  }
  violated("unexpected error " + std::string(errorCodeName(e.code())) + ": " + e.what());
}

/// Consumes fuzz bytes front to back; once they run out every read returns zeros, so a target
/// never needs to check sizes.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : pos_(data), end_(data + size) {}

  bool empty() const { return pos_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - pos_); }

  std::uint8_t byte() { return empty() ? 0 : *pos_++; }
  bool flag() { return (byte() & 1) != 0; }

  template <class T>
  T pod() {
    T value{};
    std::size_t n = std::min(sizeof(T), remaining());
    std::memcpy(&value, pos_, n);
    pos_ += n;
    return value;
  }

  /// An integer in [lo, hi] (inclusive), usually from one byte.
  std::int64_t intIn(std::int64_t lo, std::int64_t hi) {
    auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    std::uint64_t raw = span <= 256 ? byte() : pod<std::uint64_t>();
    return lo + static_cast<std::int64_t>(span == 0 ? raw : raw % span);
  }

  /// Numbers that break code: NaN, infinities, extremes, signed zero, rating-like values and
  /// raw doubles.
  double number() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.5,
                                      5.0,
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::max(),
                                      -std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::epsilon(),
                                      2147483647.0,
                                      2147483648.0,
                                      -2147483649.0,
                                      9007199254740991.0,
                                      9007199254740993.0,
                                      1e-300,
                                      1e300};
    switch (byte() % 4) {
      case 0:
        return kSpecial[byte() % (sizeof(kSpecial) / sizeof(kSpecial[0]))];
      case 1:
        return static_cast<double>(intIn(-4, 64));
      case 2:
        return pod<double>();
      default:
        return 0.5 * static_cast<double>(intIn(1, 10));
    }
  }

  std::string string(std::size_t maxLength) {
    std::size_t n = std::min<std::size_t>(byte(), maxLength);
    std::string s;
    for (std::size_t i = 0; i < n && !empty(); ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }

 private:
  const std::uint8_t* pos_;
  const std::uint8_t* end_;
};

/// What a ranked answer must look like for the request that produced it.
inline void checkRecommendations(const Recommendations& recs, int k, std::int32_t numItems,
                                 const std::vector<std::int32_t>& seen,
                                 const RecommendOptions* options) {
  expect(recs.items.size() == recs.scores.size(), "one score per recommended item");
  expect(static_cast<std::int64_t>(recs.items.size()) <= k, "no more than k items");
  std::vector<std::int32_t> sorted = recs.items;
  std::sort(sorted.begin(), sorted.end());
  expect(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
         "no item recommended twice");
  for (std::int32_t item : recs.items) expect(item >= 0 && item < numItems, "items in catalogue");
  for (double s : recs.scores) expect(!std::isnan(s), "scores are never NaN");
  if (!options) return;
  auto contains = [](const std::vector<std::int32_t>& v, std::int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (std::int32_t item : recs.items) {
    expect(!contains(options->exclude, item), "excluded items never come back");
    if (options->restrictToAllow) expect(contains(options->allow, item), "only allowed items");
    if (options->excludeSeen) expect(!contains(seen, item), "seen items excluded");
  }
}

inline void checkScores(const std::vector<double>& scores, std::int32_t numItems) {
  expect(scores.size() == static_cast<std::size_t>(numItems), "one score per catalogue item");
  for (double s : scores) expect(!std::isnan(s), "scores are never NaN");
}

/// Serves a fitted model the way callers do (top-10 for the first users, scores, similar items,
/// explanations) and checks every answer. Valid requests on a fitted model must not fail, except
/// with kUnsupported where a model lacks the capability.
inline void exerciseFittedModel(const Recommender& model, std::int32_t maxUsers = 8) {
  Context serving(model.kind() + " serving");
  expect(model.isFitted(), "model is fitted");
  const Interactions& train = model.trainingData();
  const std::int32_t numItems = train.numItems();
  RecommendOptions options;
  for (std::int32_t u = 0; u < std::min(train.numUsers(), maxUsers); ++u) {
    Query query;
    query.user = u;
    std::vector<std::int32_t> seen = train.historyOf(u);
    Recommendations recs = model.recommend(query, options);
    checkRecommendations(recs, options.k, numItems, seen, &options);
    checkScores(model.score(query), numItems);
    if (!recs.items.empty()) {
      try {
        std::vector<Contribution> why = model.explain(query, recs.items.front(), 3);
        expect(why.size() <= 3, "explain returns at most topN items");
        for (const Contribution& c : why) {
          expect(std::find(seen.begin(), seen.end(), c.item) != seen.end(),
                 "explanations name history items");
          expect(!std::isnan(c.weight), "explanation weights are never NaN");
        }
      } catch (const Error& e) {
        expectCode(e, {ErrorCode::kUnsupported});
      }
    }
  }
  if (numItems > 0) {
    try {
      Recommendations similar = model.similarItems(0, 5);
      checkRecommendations(similar, 5, numItems, {}, nullptr);
    } catch (const Error& e) {
      expectCode(e, {ErrorCode::kUnsupported});
    }
  }
}

}  // namespace recwasm::fuzz
