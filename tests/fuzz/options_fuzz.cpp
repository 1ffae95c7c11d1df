// Fuzzes option parsing: createRecommender with a fuzzed option map (known keys with values of
// every type and range, unknown keys) must either refuse with kInvalidArgument or give a model
// whose resolved options include every given key, that then fits on small data (or refuses with
// a typed error and stays unfitted) and serves valid answers.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "recwasm/demo_data.h"
#include "recwasm/model_registry.h"

using namespace recwasm;

namespace {

struct Kind {
  std::string name;
  std::vector<std::string> keys;  // the options the model resolves by default
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> all = [] {
    std::vector<Kind> out;
    for (const std::string& name : modelKinds()) {
      Kind kind{name, {}};
      std::unique_ptr<Recommender> defaults = createRecommender(name, {});
      for (const auto& entry : defaults->options()) kind.keys.push_back(entry.first);
      out.push_back(kind);
    }
    return out;
  }();
  return all;
}

const Dataset& smallData() {
  static const Dataset data = [] {
    DemoDataParams p;
    p.users = 6;
    p.items = 12;
    p.ratingsPerUser = 4;
    p.sessionLength = 4;
    return demoDataset(generateDemoData(p));
  }();
  return data;
}

OptionValue fuzzedValue(fuzz::ByteReader& in) {
  switch (in.byte() % 4) {
    case 0:
      return in.flag();
    case 1: {
      static const char* kWords[] = {"",       "adam", "sgd",  "softmax", "sigmoid",
                                     "binary", "mean", "none", "pearson", "cosine"};
      return std::string(kWords[in.byte() % (sizeof(kWords) / sizeof(kWords[0]))]);
    }
    case 2:
      return in.string(16);
    default:
      return in.number();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  const Kind& kind = kinds()[in.byte() % kinds().size()];
  OptionMap options;
  for (int n = in.byte() % 5; n > 0; --n) {
    std::string key = kind.keys.empty() || in.byte() % 8 == 0
                          ? in.string(12)
                          : kind.keys[in.byte() % kind.keys.size()];
    options[key] = fuzzedValue(in);
  }
  fuzz::Context creating(kind.name + " with fuzzed options");
  std::unique_ptr<Recommender> model;
  try {
    model = createRecommender(kind.name, options);
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kInvalidArgument});
    return 0;
  }
  for (const auto& entry : options) {
    fuzz::expect(model->options().count(entry.first) == 1, "accepted options are resolved");
  }
  try {
    model->fit(smallData());
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kInvalidArgument, ErrorCode::kTrainingDiverged});
    fuzz::expect(!model->isFitted(), "a failed fit leaves the model unfitted");
    return 0;
  }
  fuzz::exerciseFittedModel(*model);
  return 0;
}
