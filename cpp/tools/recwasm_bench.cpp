// Native timings for `npm run bench`: fits a model and recommends top-k for every user, repeated,
// and prints one JSON object (medians in milliseconds) so the bench compares it with wasm.
//
//   recwasm-bench --model popularity [--data demo] [--repeats 5] [--k 10]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/model_registry.h"
#include "recwasm/split.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "popularity";
  std::string data = "demo";
  int repeats = 5;
  int k = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--model"))
      model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--data"))
      data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeats"))
      repeats = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--k"))
      k = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "recwasm-bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  try {
    recwasm::Dataset full;
    if (data == "demo") {
      full = recwasm::demoDataset(recwasm::generateDemoData({}));
    } else {
      std::fprintf(stderr, "recwasm-bench: unknown dataset %s\n", data.c_str());
      return 2;
    }
    recwasm::Dataset train = full;
    train.interactions = std::make_shared<recwasm::Interactions>(
        recwasm::leaveOneOutSplit(*full.interactions, 42).train);

    std::vector<double> fitMs, recommendMs;
    for (int r = 0; r < repeats + 1; ++r) {  // the first round warms up
      auto m = recwasm::createRecommender(model, {});
      auto start = std::chrono::steady_clock::now();
      m->fit(train);
      double fit = millisecondsSince(start);
      start = std::chrono::steady_clock::now();
      recwasm::RecommendOptions options;
      options.k = k;
      for (std::int32_t u = 0; u < train.interactions->numUsers(); ++u) {
        recwasm::Query query;
        query.user = u;
        m->recommend(query, options);
      }
      double recommend = millisecondsSince(start);
      if (r > 0) {
        fitMs.push_back(fit);
        recommendMs.push_back(recommend);
      }
    }
    std::printf("{\"model\":\"%s\",\"data\":\"%s\",\"fit_ms\":%.6f,\"recommend_all_ms\":%.6f}\n",
                model.c_str(), data.c_str(), median(fitMs), median(recommendMs));
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-bench: %s: %s\n",
                 std::string(recwasm::errorCodeName(e.code())).c_str(), e.what());
    return 2;
  }
  return 0;
}
