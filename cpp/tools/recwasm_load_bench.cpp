// Native timings of the MovieLens loader for `npm run bench` (bench/suites/data.mjs compares
// them with wasm). Reads the files once, then times loadMovieLens on the bytes in memory:
// the median of `--repeats` runs after one warm-up, in milliseconds, as one JSON object.
//
//   recwasm-load-bench --dir ../shared/datasets/ml-latest-small [--repeats 5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "recwasm/error.h"
#include "recwasm/movielens.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "recwasm-load-bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

template <class F>
double medianMilliseconds(int repeats, F&& f) {
  std::vector<double> times;
  for (int r = 0; r <= repeats; ++r) {  // the first run warms up
    auto start = std::chrono::steady_clock::now();
    f();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r > 0) times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/datasets/ml-latest-small";
  int repeats = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "recwasm-load-bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const std::string ratings = readFile(dir + "/ratings.csv");
  const std::string movies = readFile(dir + "/movies.csv");
  const std::string tags = readFile(dir + "/tags.csv");
  try {
    std::size_t rows = 0;
    recwasm::MovieLensFiles ratingsOnly;
    ratingsOnly.ratings = ratings;
    double ratingsMs = medianMilliseconds(
        repeats, [&] { rows = recwasm::loadMovieLens(ratingsOnly).interactions->numRows(); });
    recwasm::MovieLensFiles all = ratingsOnly;
    all.movies = movies;
    all.tags = tags;
    double allMs = medianMilliseconds(repeats, [&] { recwasm::loadMovieLens(all); });
    std::printf("{\"rows\":%zu,\"ratings_ms\":%.6f,\"all_files_ms\":%.6f}\n", rows, ratingsMs,
                allMs);
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-load-bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
