// The per-call path, built for speed (-O3): recommend, score and similar items, the slices of a
// fit, and the conversions they use. At -Oz each recommend() from JavaScript cost 1.5-2x more
// CPU; everything that runs once per call lives in adapters.cpp, built for size.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <cmath>

#include "adapters.h"
#include "conversions.h"

namespace recwasm::wasm {

ErrorSlot& errorSlot() {
  static ErrorSlot slot;
  return slot;
}

int lastErrorCode() { return errorSlot().code; }
std::string lastErrorMessage() { return errorSlot().message; }

std::vector<double> numbers(const val& v, const char* what) {
  require(present(v) && present(v["length"]), what, " must be an array of numbers");
  return emscripten::convertJSArrayToNumberVector<double>(v);
}

ExternalId externalId(double value, const char* what) {
  if (!std::isfinite(value) || value != std::floor(value) ||
      std::abs(value) > static_cast<double>(kMaxExternalId)) {
    fail(ErrorCode::kInvalidArgument,
         std::string(what) + " ids must be integers within +-(2^53 - 1)");
  }
  return static_cast<ExternalId>(value);
}

std::vector<ExternalId> externalIds(const val& v, const char* what) {
  std::vector<ExternalId> ids;
  for (double d : numbers(v, what)) ids.push_back(externalId(d, what));
  return ids;
}

int integerValue(double d, const char* key) {
  require(std::isfinite(d) && d == std::floor(d) && std::abs(d) <= 2147483647.0, key,
          " must be an integer");
  return static_cast<int>(d);
}

int integerField(const val& obj, const char* key, int defaultValue) {
  val v = obj[key];
  if (!present(v)) return defaultValue;
  require(v.isNumber(), key, " must be a number");
  return integerValue(v.as<double>(), key);
}

val float64Array(const std::vector<double>& data) { return typedArray("Float64Array", data); }

val idsToArray(const std::vector<ExternalId>& ids) {
  std::vector<double> asNumbers(ids.begin(), ids.end());
  return float64Array(asNumbers);
}

val recommendationsToObject(const ExternalRecommendations& recs) {
  val out = val::object();
  out.set("items", idsToArray(recs.items));
  out.set("scores", float64Array(recs.scores));
  return out;
}

ExternalRequest toRequest(const val& request) {
  require(present(request), "a request object is required");
  ExternalRequest out;
  if (present(request["user"])) {
    require(request["user"].isNumber(), "user must be a number");
    out.user = externalId(request["user"].as<double>(), "user");
  }
  if (present(request["history"])) out.history = externalIds(request["history"], "history");
  if (present(request["historyValues"])) {
    out.historyValues = numbers(request["historyValues"], "historyValues");
  }
  out.k = integerField(request, "k", 10);
  if (present(request["excludeSeen"])) out.excludeSeen = request["excludeSeen"].as<bool>();
  if (present(request["exclude"])) out.exclude = externalIds(request["exclude"], "exclude");
  if (present(request["allow"])) out.allow = externalIds(request["allow"], "allow");
  return out;
}

namespace {

val progressToObject(const FitProgress& p) {
  val out = val::object();
  out.set("done", p.done);
  out.set("epoch", p.epoch);
  out.set("epochs", p.epochs);
  out.set("fraction", p.fraction);
  out.set("loss", p.loss);
  out.set("validationLoss", p.validationLoss);
  out.set("examplesPerSecond", p.examplesPerSecond);
  out.set("epochEnded", p.epochEnded);
  return out;
}

// Where recommendUser() leaves its items and scores for TypeScript to copy out.
std::vector<double>& results() {
  static std::vector<double> buffer;
  return buffer;
}

}  // namespace

val WasmModel::continueFit(int maxBatches) {
  return guarded([&] { return progressToObject(model_->continueFit(maxBatches)); });
}

val WasmModel::recommend(val request) const {
  return guarded(
      [&] { return recommendationsToObject(recommendExternal(*model_, toRequest(request))); });
}

int WasmModel::recommendUser(double user, double k, bool excludeSeen) const {
  const int count = guarded([&] {
    ExternalRequest request;
    request.user = externalId(user, "user");
    request.k = integerValue(k, "k");
    request.excludeSeen = excludeSeen;
    const ExternalRecommendations recs = recommendExternal(*model_, request);
    std::vector<double>& out = results();
    // One call with a huge k must not keep its buffer for the module's lifetime.
    if (out.capacity() > (std::size_t{1} << 16) && out.capacity() > 8 * recs.items.size()) {
      std::vector<double>().swap(out);
    }
    out.assign(recs.items.begin(), recs.items.end());
    out.insert(out.end(), recs.scores.begin(), recs.scores.end());
    return static_cast<int>(recs.items.size());
  });
  return errorSlot().code == 0 ? count : -1;
}

val WasmModel::score(val request) const {
  return guarded([&] { return float64Array(scoreExternal(*model_, toRequest(request))); });
}

val WasmModel::similarItems(double item, int k) const {
  return guarded([&] {
    return recommendationsToObject(similarItemsExternal(*model_, externalId(item, "item"), k));
  });
}

}  // namespace recwasm::wasm

// Plain exports for the one call made once per user in a loop: a call through Embind costs about
// 0.2 us more (its generic invoker, as -sDYNAMIC_EXECUTION=0 leaves it), a third of what a
// popularity recommendation costs in all.
extern "C" {

/// WasmModel::recommendUser() on the model at `model` (its address()).
EMSCRIPTEN_KEEPALIVE int recwasm_recommend_user(std::uintptr_t model, double user, double k,
                                                int excludeSeen) {
  return reinterpret_cast<const recwasm::wasm::WasmModel*>(model)->recommendUser(user, k,
                                                                                 excludeSeen != 0);
}

/// Heap address of what the last recommendUser() wrote: its items, then their scores.
EMSCRIPTEN_KEEPALIVE std::uintptr_t recwasm_result_buffer() {
  return reinterpret_cast<std::uintptr_t>(recwasm::wasm::results().data());
}
}
