// Native snapshots for the cross-build test (tests/js/snapshot.test.mjs): a model saved here
// must load in wasm with the same recommendations, and one saved in wasm must load here.
//
//   recwasm-snapshot save --model KIND [--option key=value ...] [--split-seed 42] --out FILE
//       trains KIND on the train part of the notebook's demo data and split, writes its snapshot
//   recwasm-snapshot recommend --snapshot FILE [--k 10]
//       prints {"kind":...,"recs":{"<user>":{"items":[...],"scores":[...]},...}} for every
//       training user of the snapshot's model, in the caller's ids
//
// Exit code 0 on success; on bad input one line on stderr and exit code 2.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/external_ids.h"
#include "recwasm/model_registry.h"
#include "recwasm/split.h"

namespace {

using recwasm::ErrorCode;
using recwasm::fail;

struct Flags {
  std::string command;
  std::string model;
  std::string out;
  std::string snapshot;
  recwasm::OptionMap options;
  std::uint32_t splitSeed = 42;
  int k = 10;
};

recwasm::OptionValue parseOptionValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  errno = 0;
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && errno == 0) return number;
  return text;
}

int parseInteger(const std::string& text, const char* flag, long min, long max) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) {
    fail(ErrorCode::kInvalidArgument, std::string(flag) + " must be an integer in range");
  }
  return static_cast<int>(value);
}

Flags parseFlags(int argc, char** argv) {
  Flags flags;
  if (argc < 2) fail(ErrorCode::kInvalidArgument, "usage: recwasm-snapshot save|recommend ...");
  flags.command = argv[1];
  for (int i = 2; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) fail(ErrorCode::kInvalidArgument, flag + " needs a value");
    std::string value = argv[i + 1];
    if (flag == "--model") {
      flags.model = value;
    } else if (flag == "--out") {
      flags.out = value;
    } else if (flag == "--snapshot") {
      flags.snapshot = value;
    } else if (flag == "--k") {
      flags.k = parseInteger(value, "--k", 1, 1000000);
    } else if (flag == "--split-seed") {
      flags.splitSeed =
          static_cast<std::uint32_t>(parseInteger(value, "--split-seed", 0, 2147483647));
    } else if (flag == "--option") {
      std::size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0)
        fail(ErrorCode::kInvalidArgument, "--option takes key=value");
      flags.options[value.substr(0, eq)] = parseOptionValue(value.substr(eq + 1));
    } else {
      fail(ErrorCode::kInvalidArgument, "unknown flag " + flag);
    }
  }
  return flags;
}

void save(const Flags& flags) {
  if (flags.model.empty() || flags.out.empty()) {
    fail(ErrorCode::kInvalidArgument, "save needs --model and --out");
  }
  recwasm::Dataset train = recwasm::demoDataset(recwasm::generateDemoData({}));
  train.interactions = std::make_shared<recwasm::Interactions>(
      recwasm::leaveOneOutSplit(*train.interactions, flags.splitSeed).train);
  auto model = recwasm::createRecommender(flags.model, flags.options);
  model->fit(train);
  std::vector<std::uint8_t> bytes = model->save();
  std::ofstream file(flags.out, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  if (!file) fail(ErrorCode::kInvalidArgument, "cannot write " + flags.out);
}

void printNumbers(const char* key, const std::vector<double>& values) {
  std::printf("\"%s\":[", key);
  for (std::size_t i = 0; i < values.size(); ++i) std::printf(i ? ",%.17g" : "%.17g", values[i]);
  std::printf("]");
}

void recommend(const Flags& flags) {
  if (flags.snapshot.empty()) fail(ErrorCode::kInvalidArgument, "recommend needs --snapshot");
  std::ifstream file(flags.snapshot, std::ios::binary);
  if (!file) fail(ErrorCode::kInvalidArgument, "cannot read " + flags.snapshot);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                  std::istreambuf_iterator<char>());
  auto model = recwasm::loadRecommender(bytes);
  std::printf("{\"kind\":\"%s\",\"recs\":{", model->kind().c_str());
  const std::vector<recwasm::ExternalId>& users = model->trainingData().users().externalIds();
  for (std::size_t u = 0; u < users.size(); ++u) {
    recwasm::ExternalRequest request;
    request.user = users[u];
    request.k = flags.k;
    recwasm::ExternalRecommendations recs = recwasm::recommendExternal(*model, request);
    std::printf("%s\"%lld\":{", u ? "," : "", static_cast<long long>(users[u]));
    printNumbers("items", std::vector<double>(recs.items.begin(), recs.items.end()));
    std::printf(",");
    printNumbers("scores", recs.scores);
    std::printf("}");
  }
  std::printf("}}\n");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Flags flags = parseFlags(argc, argv);
    if (flags.command == "save") {
      save(flags);
    } else if (flags.command == "recommend") {
      recommend(flags);
    } else {
      fail(ErrorCode::kInvalidArgument, "unknown command " + flags.command + " (save, recommend)");
    }
  } catch (const recwasm::Error& e) {
    std::fprintf(stderr, "recwasm-snapshot: %s: %s\n",
                 std::string(recwasm::errorCodeName(e.code())).c_str(), e.what());
    return 2;
  }
  return 0;
}
