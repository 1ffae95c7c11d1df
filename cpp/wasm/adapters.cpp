// The adapters that run once per call (datasets, splits, model construction, info, snapshots,
// explanations, evaluation, the demo generator), built for size (-Oz) since every page downloads
// them; the per-call serving path is serving.cpp.
#include "adapters.h"

#include <emscripten/bind.h>

#include <malloc.h>

#include <cmath>

#include "conversions.h"
#include "recwasm/demo_data.h"
#include "recwasm/evaluation.h"
#include "recwasm/model_registry.h"
#include "recwasm/movielens.h"

namespace recwasm::wasm {

namespace {

// A byte range the caller placed in the heap: {ptr, length}.
std::string_view heapText(const val& range) {
  require(range["ptr"].isNumber() && range["length"].isNumber(), "a file must be {ptr, length}");
  const auto ptr = range["ptr"].as<double>();
  const auto length = range["length"].as<double>();
  require(ptr >= 0 && length >= 0 && ptr + length <= 4294967296.0, "file bytes out of range");
  return {reinterpret_cast<const char*>(static_cast<std::uintptr_t>(ptr)),
          static_cast<std::size_t>(length)};
}

std::uint32_t seedField(const val& obj, const char* key, std::uint32_t defaultValue) {
  val v = obj[key];
  if (!present(v)) return defaultValue;
  require(v.isNumber(), key, " must be a number");
  double d = v.as<double>();
  require(d >= 0 && d <= 4294967295.0 && d == std::floor(d), key,
          " must be an integer in [0, 2^32)");
  return static_cast<std::uint32_t>(d);
}

OptionMap toOptions(const val& options) {
  OptionMap out;
  if (!present(options)) return out;
  val keys = val::global("Object").call<val>("keys", options);
  const auto n = keys["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) {
    std::string key = keys[i].as<std::string>();
    val v = options[key];
    if (v.isNumber()) {
      out[key] = v.as<double>();
    } else if (v.isTrue() || v.isFalse()) {
      out[key] = v.as<bool>();
    } else if (v.isString()) {
      out[key] = v.as<std::string>();
    } else if (!v.isUndefined()) {
      fail(ErrorCode::kInvalidArgument, "option '" + key + "' must be a number, boolean or string");
    }
  }
  return out;
}

val optionsToObject(const OptionMap& options) {
  val out = val::object();
  for (const auto& [key, value] : options) {
    if (std::holds_alternative<double>(value)) out.set(key, std::get<double>(value));
    if (std::holds_alternative<bool>(value)) out.set(key, std::get<bool>(value));
    if (std::holds_alternative<std::string>(value)) out.set(key, std::get<std::string>(value));
  }
  return out;
}

}  // namespace

// ---- WasmDataset ------------------------------------------------------------------------------

WasmDataset* WasmDataset::fromArrays(val parts) {
  return guarded([&]() -> WasmDataset* {
    require(present(parts), "dataset parts are required");
    std::vector<ExternalId> users = externalIds(parts["users"], "users");
    std::vector<ExternalId> items = externalIds(parts["items"], "items");
    std::vector<double> values = numbers(parts["values"], "values");
    std::vector<std::int64_t> timestamps;
    if (present(parts["timestamps"])) {
      for (double t : numbers(parts["timestamps"], "timestamps")) {
        timestamps.push_back(externalId(t, "timestamp"));
      }
    }
    std::vector<ExternalId> extraUsers, extraItems;
    if (present(parts["extraUsers"])) extraUsers = externalIds(parts["extraUsers"], "extraUsers");
    if (present(parts["extraItems"])) extraItems = externalIds(parts["extraItems"], "extraItems");
    require(items.size() == users.size() && values.size() == users.size(),
            "users, items and values must have the same length");
    auto userMap = std::make_shared<IdMap>(IdMap::fromUnsorted(users, extraUsers));
    auto itemMap = std::make_shared<IdMap>(IdMap::fromUnsorted(items, extraItems));
    std::vector<std::int32_t> denseUsers(users.size()), denseItems(items.size());
    for (std::size_t r = 0; r < users.size(); ++r) {
      denseUsers[r] = *userMap->dense(users[r]);
      denseItems[r] = *itemMap->dense(items[r]);
    }
    Dataset data;
    data.interactions = std::make_shared<Interactions>(std::move(userMap), std::move(itemMap),
                                                       std::move(denseUsers), std::move(denseItems),
                                                       std::move(values), std::move(timestamps));
    return new WasmDataset(std::move(data));
  });
}

WasmDataset* WasmDataset::fromMovieLens(val files, double sessionGapSeconds) {
  return guarded([&]() -> WasmDataset* {
    require(present(files) && present(files["ratings"]), "a ratings file is required");
    require(std::isfinite(sessionGapSeconds) && sessionGapSeconds >= 0 &&
                sessionGapSeconds == std::floor(sessionGapSeconds) &&
                sessionGapSeconds <= static_cast<double>(kMaxExternalId),
            "the session gap must be a non-negative integer number of seconds");
    MovieLensFiles texts;
    texts.ratings = heapText(files["ratings"]);
    if (present(files["movies"])) texts.movies = heapText(files["movies"]);
    if (present(files["tags"])) texts.tags = heapText(files["tags"]);
    MovieLensOptions options;
    options.sessionGapSeconds = static_cast<std::int64_t>(sessionGapSeconds);
    return new WasmDataset(loadMovieLens(texts, options));
  });
}

void WasmDataset::setItemText(val texts) {
  guarded([&] {
    require(present(texts) && present(texts["length"]), "item text must be an array of strings");
    const auto n = texts["length"].as<unsigned>();
    require(static_cast<std::int32_t>(n) == data_.interactions->numItems(),
            "item text needs one string per catalogue item");
    auto out = std::make_shared<std::vector<std::string>>();
    out->reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      val t = texts[i];
      require(t.isString(), "item text must be an array of strings");
      out->push_back(t.as<std::string>());
    }
    data_.itemText = std::move(out);
  });
}

void WasmDataset::setSessions(val sessions) {
  guarded([&] {
    require(present(sessions) && present(sessions["length"]), "sessions must be an array");
    const auto n = sessions["length"].as<unsigned>();
    auto out = std::make_shared<std::vector<std::vector<std::int32_t>>>();
    for (unsigned s = 0; s < n; ++s) {
      std::vector<std::int32_t> session;
      for (ExternalId id : externalIds(sessions[s], "session")) {
        std::optional<std::int32_t> item = data_.interactions->items().dense(id);
        if (!item) {
          fail(ErrorCode::kInvalidArgument,
               "session " + std::to_string(s) + " mentions unknown item " + std::to_string(id));
        }
        session.push_back(*item);
      }
      out->push_back(std::move(session));
    }
    data_.sessions = std::move(out);
  });
}

// Accessors are guarded like everything else: TypeScript reads the error slot after each call,
// so every call must clear what an earlier failure left there.
val WasmDataset::summary() const {
  return guarded([&] {
    val out = val::object();
    out.set("users", data_.interactions->numUsers());
    out.set("items", data_.interactions->numItems());
    out.set("rows", static_cast<double>(data_.interactions->numRows()));
    out.set("hasTimestamps", data_.interactions->hasTimestamps());
    out.set("hasItemText", data_.itemText != nullptr);
    out.set("hasSessions", data_.sessions != nullptr);
    return out;
  });
}

val WasmDataset::userIds() const {
  return guarded([&] { return idsToArray(data_.interactions->users().externalIds()); });
}
val WasmDataset::itemIds() const {
  return guarded([&] { return idsToArray(data_.interactions->items().externalIds()); });
}

val WasmDataset::rows() const {
  return guarded([&] {
    const Interactions& d = *data_.interactions;
    std::vector<double> users(d.numRows()), items(d.numRows());
    for (std::size_t r = 0; r < d.numRows(); ++r) {
      users[r] = static_cast<double>(d.users().external(d.userOfRow()[r]));
      items[r] = static_cast<double>(d.items().external(d.itemOfRow()[r]));
    }
    val out = val::object();
    out.set("users", float64Array(users));
    out.set("items", float64Array(items));
    out.set("values", float64Array(d.values()));
    if (d.hasTimestamps()) {
      out.set("timestamps",
              float64Array(std::vector<double>(d.timestamps().begin(), d.timestamps().end())));
    }
    return out;
  });
}

val WasmDataset::itemText() const {
  return guarded([&] {
    if (!data_.itemText) return val::null();
    val out = val::array();
    for (const std::string& t : *data_.itemText) out.call<void>("push", t);
    return out;
  });
}

val WasmDataset::sessions() const {
  return guarded([&] {
    if (!data_.sessions) return val::null();
    val out = val::array();
    for (const auto& session : *data_.sessions) {
      std::vector<double> ids;
      for (std::int32_t item : session) {
        ids.push_back(static_cast<double>(data_.interactions->items().external(item)));
      }
      out.call<void>("push", float64Array(ids));
    }
    return out;
  });
}

// ---- WasmSplit --------------------------------------------------------------------------------

WasmSplit* WasmSplit::create(const WasmDataset& data, val options) {
  return guarded([&]() -> WasmSplit* {
    SplitOptions split;
    if (present(options)) {
      if (present(options["method"])) {
        require(options["method"].isString(), "split method must be a string");
        split.method = splitMethodFromName(options["method"].as<std::string>());
      }
      split.seed = seedField(options, "seed", split.seed);
      if (present(options["testFraction"])) {
        require(options["testFraction"].isNumber(), "testFraction must be a number");
        split.testFraction = options["testFraction"].as<double>();
      }
    }
    DatasetSplit parts = splitDataset(data.data(), split);
    return new WasmSplit(WasmDataset(std::move(parts.train)), WasmDataset(std::move(parts.test)));
  });
}

// ---- WasmModel --------------------------------------------------------------------------------

WasmModel* WasmModel::create(const std::string& kind, val options) {
  return guarded(
      [&]() -> WasmModel* { return new WasmModel(createRecommender(kind, toOptions(options))); });
}

WasmModel* WasmModel::load(val bytes) {
  return guarded([&]() -> WasmModel* {
    require(present(bytes) && present(bytes["length"]), "snapshot bytes must be a Uint8Array");
    std::vector<std::uint8_t> data = emscripten::convertJSArrayToNumberVector<std::uint8_t>(bytes);
    return new WasmModel(loadRecommender(data));
  });
}

val WasmModel::info() const {
  return guarded([&] {
    val out = val::object();
    out.set("kind", model_->kind());
    out.set("options", optionsToObject(model_->options()));
    out.set("fitted", model_->isFitted());
    out.set("fitInProgress", model_->fitInProgress());
    out.set("predictsRatings", model_->predictsRatings());
    if (model_->isFitted()) {
      out.set("users", model_->trainingData().numUsers());
      out.set("items", model_->trainingData().numItems());
    }
    return out;
  });
}

bool WasmModel::beginFit(const WasmDataset& data) {
  return guarded([&] {
    model_->beginFit(data.data());
    return true;
  });
}

void WasmModel::cancelFit() {
  guarded([&] { model_->cancelFit(); });
}

val WasmModel::explain(val request, double item, int topN) const {
  return guarded([&] {
    std::vector<ExternalContribution> contributions =
        explainExternal(*model_, toRequest(request), externalId(item, "item"), topN);
    std::vector<ExternalId> items;
    std::vector<double> weights;
    for (const ExternalContribution& c : contributions) {
      items.push_back(c.item);
      weights.push_back(c.weight);
    }
    val out = val::object();
    out.set("items", idsToArray(items));
    out.set("weights", float64Array(weights));
    return out;
  });
}

val WasmModel::scoreItems(val request, val items) const {
  return guarded([&] {
    return float64Array(
        scoreItemsExternal(*model_, toRequest(request), externalIds(items, "scored")));
  });
}

val WasmModel::save() const {
  return guarded([&] { return typedArray("Uint8Array", model_->save()); });
}

val WasmModel::userIds() const {
  return guarded([&] { return idsToArray(model_->trainingData().users().externalIds()); });
}

val WasmModel::itemIds() const {
  return guarded([&] { return idsToArray(model_->trainingData().items().externalIds()); });
}

namespace {

// The field names of the TS RankingMetrics, shared by rankingMetrics() and evaluate().
void setRankingMetrics(val& out, const RankingMetrics& m) {
  out.set("precision", m.precision);
  out.set("recall", m.recall);
  out.set("ndcg", m.ndcg);
  out.set("hitRate", m.hitRate);
  out.set("mrr", m.mrr);
  out.set("map", m.map);
}

}  // namespace

// ---- free functions ---------------------------------------------------------------------------

val rankingMetricsOf(val ranked, val relevant, int k) {
  return guarded([&] {
    std::vector<ExternalId> rankedIds = externalIds(ranked, "ranked");
    val out = val::object();
    setRankingMetrics(out, rankingMetrics(rankedIds, externalIds(relevant, "relevant"), k));
    return out;
  });
}

val evaluateModel(const WasmModel& model, const WasmDataset& test, val options) {
  return guarded([&] {
    require(present(options), "evaluation options are required");
    EvaluationOptions request;
    request.k = integerField(options, "k", 10);
    request.keepRecommendations =
        present(options["keepRecommendations"]) && options["keepRecommendations"].as<bool>();
    const bool keepRecommendations = request.keepRecommendations;
    if (present(options["candidates"])) {
      request.restrictToCandidates = true;
      const IdMap& items = test.data().interactions->items();
      for (ExternalId id : externalIds(options["candidates"], "candidates")) {
        if (std::optional<std::int32_t> item = items.dense(id)) request.candidates.push_back(*item);
      }
    }
    Evaluation e = evaluate(model.model(), *test.data().interactions, request);
    val out = val::object();
    out.set("users", static_cast<double>(e.users));
    setRankingMetrics(out, e.mean);
    out.set("coverage", e.coverage);
    out.set("rmse", e.rmse);
    out.set("mae", e.mae);
    out.set("milliseconds", e.milliseconds);
    if (keepRecommendations) {
      const Interactions& train = model.model().trainingData();
      std::vector<double> users;
      val items = val::array(), scores = val::array();
      for (const UserRecommendations& u : e.perUser) {
        users.push_back(static_cast<double>(train.users().external(u.user)));
        std::vector<double> ids;
        for (std::int32_t item : u.recommendations.items) {
          ids.push_back(static_cast<double>(train.items().external(item)));
        }
        items.call<void>("push", float64Array(ids));
        scores.call<void>("push", float64Array(u.recommendations.scores));
      }
      val recs = val::object();
      recs.set("users", float64Array(users));
      recs.set("items", items);
      recs.set("scores", scores);
      out.set("recommendations", recs);
    }
    return out;
  });
}

val modelKinds() {
  val out = val::array();
  for (const std::string& kind : recwasm::modelKinds()) out.call<void>("push", kind);
  return out;
}

val generateDemoData(val params) {
  return guarded([&] {
    DemoDataParams p;
    if (present(params)) {
      p.users = integerField(params, "users", p.users);
      p.items = integerField(params, "items", p.items);
      p.categories = integerField(params, "categories", p.categories);
      p.ratingsPerUser = integerField(params, "ratingsPerUser", p.ratingsPerUser);
      p.sessionLength = integerField(params, "sessionLength", p.sessionLength);
      p.seed = seedField(params, "seed", p.seed);
    }
    DemoData data = recwasm::generateDemoData(p);
    std::vector<std::int32_t> users, items, categories;
    std::vector<double> ratings;
    for (const DemoRating& r : data.ratings) {
      users.push_back(r.user);
      items.push_back(r.item);
      ratings.push_back(r.rating);
    }
    val titles = val::array(), names = val::array(), descriptions = val::array();
    for (const DemoItem& item : data.items) {
      categories.push_back(item.category);
      titles.call<void>("push", item.title);
      names.call<void>("push", item.categoryName);
      descriptions.call<void>("push", item.description);
    }
    val sessions = val::array();
    for (const auto& session : data.sessions) {
      sessions.call<void>("push", typedArray("Int32Array", session));
    }
    val out = val::object();
    out.set("ratingUsers", typedArray("Int32Array", users));
    out.set("ratingItems", typedArray("Int32Array", items));
    out.set("ratings", float64Array(ratings));
    out.set("sessions", sessions);
    out.set("itemCategories", typedArray("Int32Array", categories));
    out.set("titles", titles);
    out.set("categoryNames", names);
    out.set("descriptions", descriptions);
    out.set("userPreferredCategories", typedArray("Int32Array", data.userPreferredCategory));
    return out;
  });
}

val heapStats() {
  val out = val::object();
  out.set("allocatedBytes", static_cast<double>(mallinfo().uordblks));
  return out;
}

}  // namespace recwasm::wasm
