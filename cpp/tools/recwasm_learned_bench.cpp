// Native figures for the learned models (bench/suites/learned.mjs compares them with wasm).
//
//   recwasm-learned-bench --model mf --ratings PATH/ratings.csv [--set key=value ...]
//       trains on every row of a MovieLens ratings.csv (or "demo": the notebook's training split);
//       prints per-epoch examples/s, the total seconds and an FNV-1a hash of the snapshot (the
//       determinism fingerprint)
//   recwasm-learned-bench --model mf --quality [--seeds 20] [--set key=value ...]
//       mean precision/recall@10 over the notebook's generator seeds 0..N-1 (split seed 42)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/evaluation.h"
#include "recwasm/model_registry.h"
#include "recwasm/movielens.h"
#include "recwasm/split.h"

namespace {

recwasm::OptionValue parseValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') return number;
  return text;
}

recwasm::Dataset readRatings(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) recwasm::fail(recwasm::ErrorCode::kInvalidArgument, "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string ratings = text.str();
  recwasm::MovieLensFiles files;
  files.ratings = ratings;
  return recwasm::loadMovieLens(files);
}

std::uint64_t fnv1a(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "mf";
  std::string ratings;
  std::string savePath;
  bool quality = false;
  int seeds = 20;
  recwasm::OptionMap options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "recwasm-learned-bench: %s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--model") {
      model = value();
    } else if (flag == "--ratings") {
      ratings = value();
    } else if (flag == "--save") {
      savePath = value();
    } else if (flag == "--quality") {
      quality = true;
    } else if (flag == "--seeds") {
      seeds = std::atoi(value().c_str());
    } else if (flag == "--set") {
      std::string kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "recwasm-learned-bench: --set takes key=value\n");
        return 2;
      }
      options[kv.substr(0, eq)] = parseValue(kv.substr(eq + 1));
    } else {
      std::fprintf(stderr, "recwasm-learned-bench: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    if (quality) {
      double precision = 0, recall = 0;
      std::printf("{\"model\":\"%s\",\"runs\":[", model.c_str());
      for (int seed = 0; seed < seeds; ++seed) {
        recwasm::DemoDataParams params;
        params.seed = static_cast<std::uint32_t>(seed);
        recwasm::Dataset full = recwasm::demoDataset(recwasm::generateDemoData(params));
        recwasm::TrainTestSplit split = recwasm::leaveOneOutSplit(*full.interactions, 42);
        recwasm::Dataset train = full;
        train.interactions = std::make_shared<recwasm::Interactions>(split.train);
        auto m = recwasm::createRecommender(model, options);
        m->fit(train);
        recwasm::Evaluation e = recwasm::evaluate(*m, split.test, {});
        precision += e.mean.precision;
        recall += e.mean.recall;
        std::printf("%s[%.6f,%.6f]", seed ? "," : "", e.mean.precision, e.mean.recall);
      }
      std::printf("],\"precision\":%.6f,\"recall\":%.6f}\n", precision / seeds, recall / seeds);
      return 0;
    }
    recwasm::Dataset data;
    if (ratings.empty() || ratings == "demo") {  // the notebook's training split
      data = recwasm::demoDataset(recwasm::generateDemoData({}));
      data.interactions = std::make_shared<recwasm::Interactions>(
          recwasm::leaveOneOutSplit(*data.interactions, 42).train);
    } else {
      data = readRatings(ratings);
    }
    auto m = recwasm::createRecommender(model, options);
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpuStart = std::clock();
    m->beginFit(data);
    std::printf("{\"model\":\"%s\",\"rows\":%zu,\"epochs\":[", model.c_str(),
                data.interactions->numRows());
    bool first = true;
    for (;;) {
      recwasm::FitProgress p = m->continueFit(1);
      if (p.epochEnded) {
        std::printf("%s{\"epoch\":%d,\"loss\":%.9g,\"examplesPerSecond\":%.1f}", first ? "" : ",",
                    p.epoch, p.loss, p.examplesPerSecond);
        first = false;
      }
      if (p.done) break;
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // CPU time too: on a shared machine it is the steadier of the two.
    double cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    if (!savePath.empty()) {
      std::vector<std::uint8_t> bytes = m->save();
      std::ofstream(savePath, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
    std::printf("],\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"snapshotHash\":\"%016llx\"}\n", seconds,
                cpuSeconds, static_cast<unsigned long long>(fnv1a(m->save())));
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-learned-bench: %s: %s\n",
                 std::string(recwasm::errorCodeName(e.code())).c_str(), e.what());
    return 2;
  }
  return 0;
}
