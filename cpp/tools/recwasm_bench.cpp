// Native side of `npm run bench` (bench/run.mjs runs one process per model x dataset cell, so
// the peak RSS belongs to that cell alone). Loads a dataset, splits it with the notebook's
// leave-one-out (seed 42), then fits the model and recommends top-k for every user, once to
// warm up and then as often as the time budget allows, and prints one JSON object: medians in
// milliseconds, the number of timed runs, peak RSS, a checksum of the training rows (the wasm
// side computes the same one, so both provably time the same data) and P@k / R@k on the test
// rows.
//
//   recwasm-bench --list
//   recwasm-bench --model KIND --data NAME [--repeats 5] [--min-repeats 0] [--k 10]
//                 [--budget-ms 5000]
//                 [--datasets DIR] [--options key=value,key=value]
//   NAME: notebook | notebook-100x200 | scaled | ml-latest-small | synthetic-1m
//   (bench/datasets.mjs has the twins). Options: numbers, true/false, else strings.
//
// Besides wall-clock medians it reports the minimum process CPU time of the timed rounds, which a
// busy machine distorts much less.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench_rounds.h"
#include "keep_freed_memory.h"
#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/evaluation.h"
#include "recwasm/model_registry.h"
#include "recwasm/movielens.h"
#include "recwasm/split.h"

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double cpuMillisecondsSince(std::clock_t start) {
  return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

double minimum(const std::vector<double>& v) {
  return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
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

long peakRssKilobytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // kilobytes on Linux
}

// ---- MovieLens, through the data layer's loader (DESIGN.md "The same rules on real data") ----

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) recwasm::fail(recwasm::ErrorCode::kInvalidArgument, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

recwasm::Dataset loadMovieLens(const std::string& dir) {
  const std::string ratings = readFile(dir + "/ratings.csv");
  const std::string movies = readFile(dir + "/movies.csv");
  const std::string tags = readFile(dir + "/tags.csv");
  return recwasm::loadMovieLens({ratings, movies, tags});
}

// ---- a synthetic 1,000,000-rating set (bench/datasets.mjs generates the same rows) ----------

// Mulberry32: 32-bit integer arithmetic only, so JavaScript reproduces it exactly.
class Mulberry32 {
 public:
  explicit Mulberry32(std::uint32_t seed) : state_(seed) {}
  std::uint32_t next() {
    state_ += 0x6D2B79F5u;
    std::uint32_t t = state_;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return t ^ (t >> 14);
  }
  double uniform() { return next() / 4294967296.0; }

 private:
  std::uint32_t state_;
};

// Users with 20-380 ratings (more often few), items drawn with power-law popularity (item index
// ~ n * r^1.5, so a few items are rated by many users), no user rating an item twice, ratings
// from an item quality plus noise, sessions of ten ratings an hour or more apart.
recwasm::Dataset syntheticDataset(std::size_t targetRows = 1000000, std::int32_t numItems = 5000) {
  Mulberry32 rng(20240601u);
  std::vector<int> quality(static_cast<std::size_t>(numItems));
  auto text = std::make_shared<std::vector<std::string>>();
  for (std::int32_t i = 0; i < numItems; ++i) {
    quality[static_cast<std::size_t>(i)] = static_cast<int>(rng.uniform() * 5);
    std::string words;
    for (int w = 0; w < 6; ++w) {
      double r = rng.uniform();
      words += (w ? " w" : "w") + std::to_string(static_cast<int>(2000 * r * r));
    }
    text->push_back(words);
  }
  std::vector<recwasm::ExternalId> users, items;
  std::vector<double> values;
  std::vector<std::int64_t> timestamps;
  auto sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>();
  std::vector<std::int64_t> ratedBy(static_cast<std::size_t>(numItems), -1);
  for (std::int64_t user = 0; users.size() < targetRows; ++user) {
    double r = rng.uniform();
    auto count = std::min<std::size_t>(20 + static_cast<std::size_t>(360 * r * r),
                                       targetRows - users.size());
    for (std::size_t j = 0; j < count; ++j) {
      std::int32_t item;
      do {
        double x = rng.uniform();
        item = std::min(numItems - 1, static_cast<std::int32_t>(numItems * x * std::sqrt(x)));
      } while (ratedBy[static_cast<std::size_t>(item)] == user);
      ratedBy[static_cast<std::size_t>(item)] = user;
      const int noise = static_cast<int>(rng.uniform() * 5) - 2;
      const double value =
          std::min(5.0, std::max(0.5, 1.0 + quality[static_cast<std::size_t>(item)] + 0.5 * noise));
      users.push_back(user);
      items.push_back(item);
      values.push_back(value);
      const auto step = static_cast<std::int64_t>(j);
      timestamps.push_back(1000000000 + user * 100000 + step * 60 + (step / 10) * 7200);
      if (j % 10 == 0) sessions->emplace_back();
      sessions->back().push_back(item);
    }
  }
  std::vector<recwasm::ExternalId> catalogue(static_cast<std::size_t>(numItems));
  for (std::int32_t i = 0; i < numItems; ++i) catalogue[static_cast<std::size_t>(i)] = i;
  recwasm::Dataset data;
  data.interactions = std::make_shared<recwasm::Interactions>(recwasm::Interactions::fromExternal(
      users, items, std::move(values), std::move(timestamps), catalogue));
  data.itemText = text;
  data.sessions = sessions;  // item ids equal dense ids: the catalogue is 0..numItems-1
  return data;
}

recwasm::Dataset loadDataset(const std::string& name, const std::string& datasetsDir) {
  if (name == "notebook") return recwasm::demoDataset(recwasm::generateDemoData({}));
  if (name == "notebook-100x200") {  // issue 4 compares this size with the notebook's Python
    recwasm::DemoDataParams params;
    params.users = 100;
    params.items = 200;
    return recwasm::demoDataset(recwasm::generateDemoData(params));
  }
  if (name == "scaled") {
    recwasm::DemoDataParams params;
    params.users = 1000;
    params.items = 1700;
    params.ratingsPerUser = 100;
    return recwasm::demoDataset(recwasm::generateDemoData(params));
  }
  if (name == "ml-latest-small") return loadMovieLens(datasetsDir + "/ml-latest-small");
  if (name == "synthetic-1m") return syntheticDataset();
  recwasm::fail(recwasm::ErrorCode::kInvalidArgument, "unknown dataset " + name);
}

// FNV-1a over (user id, item id, 2 x rating) of every row, then the session lengths; the wasm
// side hashes the same words.
std::uint32_t checksum(const recwasm::Dataset& data) {
  std::uint32_t h = 2166136261u;
  auto mix = [&h](std::int64_t word) { h = (h ^ static_cast<std::uint32_t>(word)) * 16777619u; };
  const recwasm::Interactions& t = *data.interactions;
  for (std::size_t r = 0; r < t.numRows(); ++r) {
    mix(t.users().external(t.userOfRow()[r]));
    mix(t.items().external(t.itemOfRow()[r]));
    mix(static_cast<std::int64_t>(std::lround(t.values()[r] * 2)));
  }
  if (data.sessions) {
    for (const auto& session : *data.sessions) mix(static_cast<std::int64_t>(session.size()));
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  keepFreedMemoryLikeWasm();
  std::string model;
  std::string dataName = "notebook";
  std::string datasetsDir = "../shared/datasets";
  int repeats = 5;
  int minRepeats = 0;
  int k = 10;
  double budgetMs = 5000;
  recwasm::OptionMap modelOptions;
  if (argc == 2 && !std::strcmp(argv[1], "--list")) {
    std::string out = "[";
    for (const std::string& kind : recwasm::modelKinds()) {
      out += (out.size() > 1 ? ",\"" : "\"") + kind + "\"";
    }
    std::printf("%s]\n", out.c_str());
    return 0;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--model"))
      model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--data"))
      dataName = argv[i + 1];
    else if (!std::strcmp(argv[i], "--datasets"))
      datasetsDir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeats"))
      repeats = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--min-repeats"))
      minRepeats = std::max(0, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--k"))
      k = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--budget-ms"))
      budgetMs = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--options"))
      modelOptions = parseOptions(argv[i + 1]);
    else {
      std::fprintf(stderr, "recwasm-bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  try {
    auto start = Clock::now();
    recwasm::Dataset full = loadDataset(dataName, datasetsDir);
    // Leave-one-out, seed 42; sessions cut from timestamps are rebuilt from the training rows.
    recwasm::DatasetSplit split = recwasm::splitDataset(full, {});
    const recwasm::Dataset& train = split.train;
    const double loadMs = millisecondsSince(start);
    const long dataRssKb = peakRssKilobytes();

    // Warm-up round first; then as many timed rounds as fit the budget (at least one when the
    // warm-up itself fits it), so slow cells finish instead of hanging the whole bench. Cells
    // faster than kFastRoundMs warm up for kFastWarmUpMs and take at least kFastRounds, as
    // bench/cell.mjs does in wasm.
    std::vector<double> fitMs, recommendMs, fitCpuMs, recommendCpuMs;
    double warmupMs = 0;
    double warmingMs = 0;
    int warmUpRounds = 1;
    std::unique_ptr<recwasm::Recommender> last;
    int rounds = 1;
    for (int round = 0; round < rounds; ++round) {
      // The last round's model goes first: every round after the warm-up then fits into memory
      // the warm-up touched (with both alive, the second fitted into fresh memory again).
      last.reset();
      auto m = recwasm::createRecommender(model, modelOptions);
      auto t0 = Clock::now();
      std::clock_t cpu0 = std::clock();
      m->fit(train);
      const double fit = millisecondsSince(t0);
      const double fitCpu = cpuMillisecondsSince(cpu0);
      t0 = Clock::now();
      cpu0 = std::clock();
      recwasm::RecommendOptions options;
      options.k = k;
      for (std::int32_t u = 0; u < train.interactions->numUsers(); ++u) {
        recwasm::Query query;
        query.user = u;
        m->recommend(query, options);
      }
      const double recommend = millisecondsSince(t0);
      const double recommendCpu = cpuMillisecondsSince(cpu0);
      if (round == 0) {
        warmupMs = fit + recommend;
        const double fitting = (budgetMs - warmupMs) / std::max(warmupMs, 1e-3);
        const int wanted =
            std::max({repeats, minRepeats, warmupMs < kFastRoundMs ? kFastRounds : 0});
        rounds += std::max(0, std::min(wanted, static_cast<int>(fitting)));
      }
      if (round < warmUpRounds) {
        warmingMs += fit + recommend;
        if (rounds > 1 && keepWarming(warmupMs, warmingMs)) {
          ++warmUpRounds;
          ++rounds;
        }
      }
      if (round >= warmUpRounds || rounds == 1) {  // a lone cold round is reported as such
        fitMs.push_back(fit);
        recommendMs.push_back(recommend);
        fitCpuMs.push_back(fitCpu);
        recommendCpuMs.push_back(recommendCpu);
      }
      last = std::move(m);
    }
    // P@k / R@k on the test rows cost one more recommend-all: only where the budget allowed
    // repeats (a cold cell is already slow).
    std::string quality;
    if (rounds > 1) {
      recwasm::EvaluationOptions evalOptions;
      evalOptions.k = k;
      recwasm::Evaluation e = recwasm::evaluate(*last, *split.test.interactions, evalOptions);
      char buffer[96];
      std::snprintf(buffer, sizeof buffer, "\"precision\":%.6f,\"recall\":%.6f,", e.mean.precision,
                    e.mean.recall);
      quality = buffer;
    }

    std::printf(
        "{\"model\":\"%s\",\"data\":\"%s\",\"users\":%d,\"items\":%d,\"rows\":%zu,"
        "\"checksum\":%u,\"load_ms\":%.3f,\"warmup_ms\":%.3f,\"runs\":%zu,\"cold\":%s,"
        "\"fit_ms\":%.6f,\"recommend_all_ms\":%.6f,\"fit_cpu_min_ms\":%.6f,"
        "\"recommend_all_cpu_min_ms\":%.6f,%s\"data_rss_kb\":%ld,\"peak_rss_kb\":%ld}\n",
        model.c_str(), dataName.c_str(), train.interactions->numUsers(),
        train.interactions->numItems(), train.interactions->numRows(), checksum(train), loadMs,
        warmupMs, fitMs.size(), rounds == 1 ? "true" : "false", median(fitMs), median(recommendMs),
        minimum(fitCpuMs), minimum(recommendCpuMs), quality.c_str(), dataRssKb, peakRssKilobytes());
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-bench: %s: %s\n",
                 std::string(recwasm::errorCodeName(e.code())).c_str(), e.what());
    return 2;
  }
  return 0;
}
