// What the two halves of the binding layer share: adapters.cpp (datasets, construction,
// snapshots, evaluation: once per call, built for size) and serving.cpp (recommend, score,
// training slices: called in loops, built for speed). Every call reports through one error slot,
// and JS values are converted to and from the core the same way on both sides.
#pragma once

#include <emscripten/val.h>

#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "recwasm/error.h"
#include "recwasm/external_ids.h"

namespace recwasm::wasm {

using emscripten::val;

struct ErrorSlot {
  int code = 0;
  std::string message;
};

ErrorSlot& errorSlot();

// Runs `f`, turning any exception into the error slot and a neutral return value.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  using Result = decltype(f());
  ErrorSlot& slot = errorSlot();
  slot.code = 0;
  slot.message.clear();
  try {
    return f();
  } catch (const Error& e) {
    slot.code = static_cast<int>(e.code());
    slot.message = e.what();
  } catch (const std::bad_alloc&) {
    slot.code = static_cast<int>(ErrorCode::kOutOfMemory);
    slot.message = "out of memory (the wasm heap could not grow)";
  } catch (const std::exception& e) {
    slot.code = static_cast<int>(ErrorCode::kInternal);
    slot.message = std::string("internal error: ") + e.what();
  } catch (...) {
    slot.code = static_cast<int>(ErrorCode::kInvalidArgument);
    slot.message = "invalid argument (a JavaScript value of the wrong shape)";
  }
  if constexpr (std::is_void_v<Result>) {
    return;
  } else if constexpr (std::is_same_v<Result, val>) {
    return val::undefined();
  } else {
    return Result{};
  }
}

inline bool present(const val& v) { return !v.isUndefined() && !v.isNull(); }

std::vector<double> numbers(const val& v, const char* what);
ExternalId externalId(double value, const char* what);
std::vector<ExternalId> externalIds(const val& v, const char* what);
int integerValue(double d, const char* key);
int integerField(const val& obj, const char* key, int defaultValue);

template <class T>
val typedArray(const char* type, const std::vector<T>& data) {
  return val::global(type).new_(emscripten::typed_memory_view(data.size(), data.data()));
}
val float64Array(const std::vector<double>& data);
val idsToArray(const std::vector<ExternalId>& ids);
val recommendationsToObject(const ExternalRecommendations& recs);
ExternalRequest toRequest(const val& request);

}  // namespace recwasm::wasm
