// Native timings of models on MovieLens for `npm run bench` (bench/suites/classic.mjs compares
// them with wasm). Loads ml-latest-small, splits it leave-one-out (seed 42; sessions rebuilt from
// the training rows), then for each model times fit() and top-10 recommend() for every user:
// medians of `--repeats` runs after one warm-up, wall and thread CPU milliseconds, one JSON object.
//
// A model whose first run was fast warms up longer (see bench_rounds.h), as
// bench/suites/classic.mjs does in wasm.
//
//   recwasm-classic-bench --dir ../shared/datasets/ml-latest-small [--repeats 5]
//                         [--models popularity,content_tfidf,covisitation]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_rounds.h"
#include "keep_freed_memory.h"
#include "recwasm/error.h"
#include "recwasm/model_registry.h"
#include "recwasm/movielens.h"
#include "recwasm/split.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "recwasm-classic-bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// CPU time of this thread: on a machine shared with other jobs it varies far less than wall time.
double threadCpuMilliseconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double wallMilliseconds() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  keepFreedMemoryLikeWasm();
  std::string dir = "../shared/datasets/ml-latest-small";
  int repeats = 5;
  std::vector<std::string> models = {"popularity", "content_tfidf", "covisitation"};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--models") && i + 1 < argc) {
      models = splitList(argv[++i]);
    } else {
      std::fprintf(stderr, "recwasm-classic-bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const std::string ratings = readFile(dir + "/ratings.csv");
  const std::string movies = readFile(dir + "/movies.csv");
  const std::string tags = readFile(dir + "/tags.csv");
  try {
    recwasm::MovieLensFiles files;
    files.ratings = ratings;
    files.movies = movies;
    files.tags = tags;
    const recwasm::Dataset train =
        recwasm::splitDataset(recwasm::loadMovieLens(files), recwasm::SplitOptions{}).train;
    const std::int32_t users = train.interactions->numUsers();
    std::string json = "{\"users\":" + std::to_string(users) + ",\"models\":[";
    for (const std::string& kind : models) {
      std::vector<double> fitWall, fitCpu, recommendWall, recommendCpu;
      double firstRunMs = -1;
      double warmingMs = 0;
      bool warming = true;
      while (static_cast<int>(fitWall.size()) < repeats) {
        auto model = recwasm::createRecommender(kind, {});
        double wall = wallMilliseconds(), cpu = threadCpuMilliseconds();
        model->fit(train);
        const double fitW = wallMilliseconds() - wall, fitC = threadCpuMilliseconds() - cpu;
        wall = wallMilliseconds();
        cpu = threadCpuMilliseconds();
        recwasm::RecommendOptions options;
        options.k = 10;
        for (std::int32_t u = 0; u < users; ++u) {
          recwasm::Query query;
          query.user = u;
          model->recommend(query, options);
        }
        if (warming) {
          const double runMs = wallMilliseconds() - wall + fitW;
          if (firstRunMs < 0) firstRunMs = runMs;
          warmingMs += runMs;
          warming = keepWarming(firstRunMs, warmingMs);
          continue;
        }
        fitWall.push_back(fitW);
        fitCpu.push_back(fitC);
        recommendWall.push_back(wallMilliseconds() - wall);
        recommendCpu.push_back(threadCpuMilliseconds() - cpu);
      }
      char entry[512];
      std::snprintf(entry, sizeof entry,
                    "%s{\"name\":\"%s\",\"fit_ms\":%.3f,\"recommend_all_ms\":%.3f,"
                    "\"fit_cpu_ms\":%.3f,\"recommend_all_cpu_ms\":%.3f}",
                    &kind == &models.front() ? "" : ",", kind.c_str(), median(fitWall),
                    median(recommendWall), median(fitCpu), median(recommendCpu));
      json += entry;
    }
    std::printf("%s]}\n", json.c_str());
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-classic-bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
