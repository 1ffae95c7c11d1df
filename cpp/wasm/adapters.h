// Thin adapters between Embind and the core: JS values in, typed-array copies out, every C++
// exception caught and kept as data (lastErrorCode / lastErrorMessage) for TypeScript to raise.
// No recommender logic lives here.
#pragma once

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "recwasm/recommender.h"
#include "recwasm/split.h"

namespace recwasm::wasm {

using emscripten::val;

/// 0 when the last adapter call succeeded, else its recwasm::ErrorCode.
int lastErrorCode();
std::string lastErrorMessage();

class WasmDataset {
 public:
  explicit WasmDataset(Dataset data) : data_(std::move(data)) {}

  /// `parts`: {users, items, values: Float64Array, timestamps?: Float64Array,
  ///           extraUsers?: Float64Array, extraItems?: Float64Array}
  static WasmDataset* fromArrays(val parts);
  /// `files`: {ratings: {ptr, length}, movies?: {ptr, length}, tags?: {ptr, length}}, each a
  /// UTF-8 byte range the caller copied into the wasm heap (and frees after the call).
  static WasmDataset* fromMovieLens(val files, double sessionGapSeconds);

  /// Strings, one per item in ascending external id order (the catalogue order).
  void setItemText(val texts);
  /// Sessions given as arrays of external item ids (unknown ids are kInvalidArgument).
  void setSessions(val sessions);

  val summary() const;  ///< {users, items, rows, hasTimestamps, hasItemText, hasSessions}
  val userIds() const;  ///< Float64Array, dense order
  val itemIds() const;
  val rows() const;      ///< {users, items, values, timestamps?} in external ids
  val itemText() const;  ///< string[] or null
  val sessions() const;  ///< Float64Array[] or null

  const Dataset& data() const { return data_; }

 private:
  Dataset data_;
};

class WasmSplit {
 public:
  explicit WasmSplit(WasmDataset train, WasmDataset test)
      : train_(std::move(train)), test_(std::move(test)) {}
  /// `options`: {method: "leave-one-out" | "last-by-time" | "ratio", seed, testFraction}
  static WasmSplit* create(const WasmDataset& data, val options);
  WasmDataset* train() const { return new WasmDataset(train_); }
  WasmDataset* test() const { return new WasmDataset(test_); }

 private:
  WasmDataset train_;
  WasmDataset test_;
};

class WasmModel {
 public:
  explicit WasmModel(std::unique_ptr<Recommender> model) : model_(std::move(model)) {}

  static WasmModel* create(const std::string& kind, val options);
  /// `bytes`: Uint8Array from save().
  static WasmModel* load(val bytes);

  val info() const;  ///< {kind, options, fitted, users, items, predictsRatings}
  bool beginFit(const WasmDataset& data);
  val continueFit(int maxBatches);  ///< FitProgress as a plain object
  void cancelFit();

  /// `request`: {user?, history?: Float64Array, historyValues?: Float64Array, k, excludeSeen,
  ///             exclude?: Float64Array, allow?: Float64Array}; -> {items, scores}
  val recommend(val request) const;
  /// The common request without a request object (no val property reads, no JS objects made):
  /// a known user, k and excludeSeen in; the items then their scores into the result buffer,
  /// their count out, or -1 after an error. TypeScript calls it through the plain export
  /// recwasm_recommend_user (serving.cpp), with address().
  int recommendUser(double user, double k, bool excludeSeen) const;
  /// This object's heap address, for the plain exports that take a model.
  std::uintptr_t address() const { return reinterpret_cast<std::uintptr_t>(this); }
  val score(val request) const;                  ///< Float64Array in catalogue order
  val scoreItems(val request, val items) const;  ///< Float64Array, one per item of `items`
  val similarItems(double item, int k) const;
  val explain(val request, double item, int topN) const;  ///< {items, weights}
  val save() const;                                       ///< Uint8Array
  val userIds() const;
  val itemIds() const;

  const Recommender& model() const { return *model_; }

 private:
  std::unique_ptr<Recommender> model_;
};

/// `options`: {k, keepRecommendations, candidates?: Float64Array of item ids (unknown ids are
/// skipped)} -> {users, precision, recall, ndcg, hitRate, mrr, map, coverage, rmse, mae,
///  milliseconds, recommendations?: {users: Float64Array, items: Float64Array[],
///  scores: Float64Array[]}}
val evaluateModel(const WasmModel& model, const WasmDataset& test, val options);
/// `params`: {users, items, categories, ratingsPerUser, sessionLength, seed} ->
/// {ratingUsers, ratingItems: Int32Array, ratings: Float64Array (one per rating row),
///  sessions: Int32Array[], itemCategories: Int32Array, titles, categoryNames, descriptions:
///  string[] (one per item), userPreferredCategories: Int32Array}
val generateDemoData(val params);
val modelKinds();
/// {precision, recall, ndcg, hitRate, mrr, map} of one ranked list (ids as Float64Array/array).
val rankingMetricsOf(val ranked, val relevant, int k);
/// {allocatedBytes}: bytes malloc has handed out and not had back (leak tests, benchmarks).
val heapStats();

}  // namespace recwasm::wasm
