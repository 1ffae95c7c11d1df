// Embind registration only; conversions live in adapters.cpp and serving.cpp. Every object returned
// by a factory below is owned by JavaScript, which the TypeScript layer frees with delete().
#include <emscripten/bind.h>

#include "adapters.h"

using namespace emscripten;
using namespace recwasm::wasm;

EMSCRIPTEN_BINDINGS(recwasm) {
  function("lastErrorCode", &lastErrorCode);
  function("lastErrorMessage", &lastErrorMessage);
  function("modelKinds", &modelKinds);
  function("evaluateModel", &evaluateModel);
  function("rankingMetrics", &rankingMetricsOf);
  function("generateDemoData", &generateDemoData);
  function("heapStats", &heapStats);

  class_<WasmDataset>("WasmDataset")
      .class_function("fromArrays", &WasmDataset::fromArrays, allow_raw_pointers())
      .class_function("fromMovieLens", &WasmDataset::fromMovieLens, allow_raw_pointers())
      .function("setItemText", &WasmDataset::setItemText)
      .function("setSessions", &WasmDataset::setSessions)
      .function("summary", &WasmDataset::summary)
      .function("userIds", &WasmDataset::userIds)
      .function("itemIds", &WasmDataset::itemIds)
      .function("rows", &WasmDataset::rows)
      .function("itemText", &WasmDataset::itemText)
      .function("sessions", &WasmDataset::sessions);

  class_<WasmSplit>("WasmSplit")
      .class_function("create", &WasmSplit::create, allow_raw_pointers())
      .function("train", &WasmSplit::train, allow_raw_pointers())
      .function("test", &WasmSplit::test, allow_raw_pointers());

  class_<WasmModel>("WasmModel")
      .class_function("create", &WasmModel::create, allow_raw_pointers())
      .class_function("load", &WasmModel::load, allow_raw_pointers())
      .function("info", &WasmModel::info)
      .function("beginFit", &WasmModel::beginFit)
      .function("continueFit", &WasmModel::continueFit)
      .function("cancelFit", &WasmModel::cancelFit)
      .function("recommend", &WasmModel::recommend)
      .function("address", &WasmModel::address)
      .function("score", &WasmModel::score)
      .function("scoreItems", &WasmModel::scoreItems)
      .function("similarItems", &WasmModel::similarItems)
      .function("explain", &WasmModel::explain)
      .function("save", &WasmModel::save)
      .function("userIds", &WasmModel::userIds)
      .function("itemIds", &WasmModel::itemIds);
}
