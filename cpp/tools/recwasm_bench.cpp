// Native timings for `npm run bench`: fits a model and recommends top-k for every user, repeated,
// and prints one JSON object (medians in milliseconds) so the bench compares it with wasm.
//
//   recwasm-bench --model popularity [--data demo] [--repeats 5] [--k 10]
//   recwasm-bench --model item_knn --data movielens --ratings ratings.csv [--movies movies.csv]
//                 [--options maxStoredNeighbors=50,shrinkage=10]
// MovieLens: every rating trains (no split); the catalogue adds the movies of movies.csv.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
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

double cpuMillisecondsSince(std::clock_t start) {
  return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// userId,movieId,rating[,timestamp] with a header line.
recwasm::Dataset readMovieLens(const std::string& ratingsPath, const std::string& moviesPath) {
  std::ifstream in(ratingsPath);
  if (!in) recwasm::fail(recwasm::ErrorCode::kInvalidArgument, "cannot read " + ratingsPath);
  std::vector<recwasm::ExternalId> users, items, extra;
  std::vector<double> values;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    long long u = 0, i = 0;
    double r = 0;
    if (std::sscanf(line.c_str(), "%lld,%lld,%lf", &u, &i, &r) != 3) {
      recwasm::fail(recwasm::ErrorCode::kParseError, "bad ratings line: " + line);
    }
    users.push_back(u);
    items.push_back(i);
    values.push_back(r);
  }
  if (!moviesPath.empty()) {
    std::ifstream movies(moviesPath);
    if (!movies) recwasm::fail(recwasm::ErrorCode::kInvalidArgument, "cannot read " + moviesPath);
    std::getline(movies, line);
    while (std::getline(movies, line)) {
      long long id = 0;
      if (std::sscanf(line.c_str(), "%lld,", &id) == 1) extra.push_back(id);
    }
  }
  recwasm::Dataset data;
  data.interactions = std::make_shared<recwasm::Interactions>(
      recwasm::Interactions::fromExternal(users, items, std::move(values), {}, extra));
  return data;
}

// key=value,key=value (numbers, true/false, else strings).
recwasm::OptionMap parseOptions(const std::string& text) {
  recwasm::OptionMap options;
  std::stringstream in(text);
  std::string pair;
  while (std::getline(in, pair, ',')) {
    auto eq = pair.find('=');
    if (eq == std::string::npos) continue;
    std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    char* end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (value == "true" || value == "false") {
      options[key] = value == "true";
    } else if (end != value.c_str() && *end == '\0') {
      options[key] = number;
    } else {
      options[key] = value;
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "popularity";
  std::string data = "demo";
  std::string ratingsPath, moviesPath, optionText;
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
    else if (!std::strcmp(argv[i], "--ratings"))
      ratingsPath = argv[i + 1];
    else if (!std::strcmp(argv[i], "--movies"))
      moviesPath = argv[i + 1];
    else if (!std::strcmp(argv[i], "--options"))
      optionText = argv[i + 1];
    else {
      std::fprintf(stderr, "recwasm-bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  try {
    recwasm::Dataset full;
    bool split = true;
    if (data == "demo") {
      full = recwasm::demoDataset(recwasm::generateDemoData({}));
    } else if (data == "demo100") {  // the notebook's generator scaled to 100 users x 200 items
      recwasm::DemoDataParams params;
      params.users = 100;
      params.items = 200;
      full = recwasm::demoDataset(recwasm::generateDemoData(params));
    } else if (data == "movielens") {
      full = readMovieLens(ratingsPath, moviesPath);
      split = false;
    } else {
      std::fprintf(stderr, "recwasm-bench: unknown dataset %s\n", data.c_str());
      return 2;
    }
    recwasm::Dataset train = full;
    if (split) {
      train.interactions = std::make_shared<recwasm::Interactions>(
          recwasm::leaveOneOutSplit(*full.interactions, 42).train);
    }
    recwasm::OptionMap options = parseOptions(optionText);

    // Wall-clock medians, plus minimum process CPU times: on a busy machine the wall clock also
    // counts time the process was not running, the CPU-time minimum much less so.
    std::vector<double> fitMs, recommendMs, fitCpuMs, recommendCpuMs;
    for (int r = 0; r < repeats + 1; ++r) {  // the first round warms up
      auto m = recwasm::createRecommender(model, options);
      auto start = std::chrono::steady_clock::now();
      std::clock_t cpu = std::clock();
      m->fit(train);
      double fit = millisecondsSince(start);
      double fitCpu = cpuMillisecondsSince(cpu);
      start = std::chrono::steady_clock::now();
      cpu = std::clock();
      recwasm::RecommendOptions options;
      options.k = k;
      for (std::int32_t u = 0; u < train.interactions->numUsers(); ++u) {
        recwasm::Query query;
        query.user = u;
        m->recommend(query, options);
      }
      double recommend = millisecondsSince(start);
      double recommendCpu = cpuMillisecondsSince(cpu);
      if (r > 0) {
        fitMs.push_back(fit);
        recommendMs.push_back(recommend);
        fitCpuMs.push_back(fitCpu);
        recommendCpuMs.push_back(recommendCpu);
      }
    }
    std::printf(
        "{\"model\":\"%s\",\"data\":\"%s\",\"fit_ms\":%.6f,\"recommend_all_ms\":%.6f,"
        "\"fit_cpu_min_ms\":%.6f,\"recommend_all_cpu_min_ms\":%.6f}\n",
        model.c_str(), data.c_str(), median(fitMs), median(recommendMs),
        *std::min_element(fitCpuMs.begin(), fitCpuMs.end()),
        *std::min_element(recommendCpuMs.begin(), recommendCpuMs.end()));
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-bench: %s: %s\n",
                 std::string(recwasm::errorCodeName(e.code())).c_str(), e.what());
    return 2;
  }
  return 0;
}
