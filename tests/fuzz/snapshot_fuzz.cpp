// Fuzzes the snapshot loader: loadRecommender on arbitrary bytes must load a model that serves
// correctly and saves back to a loadable snapshot, or fail with kCorruptSnapshot /
// kUnsupportedVersion. Mutated bytes almost never pass the checksum, so each input is also tried
// with its length field and CRC repaired: that is what reaches the model decoders.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_support.h"
#include "recwasm/model_registry.h"
#include "recwasm/snapshot.h"

using namespace recwasm;

namespace {

constexpr std::size_t kHeaderBytes = 8 + 4 + 8;  // magic, version, payload length
constexpr std::size_t kTrailerBytes = 4;         // CRC-32

void tryLoad(const std::vector<std::uint8_t>& bytes) {
  std::unique_ptr<Recommender> model;
  try {
    model = loadRecommender(bytes);
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kCorruptSnapshot, ErrorCode::kUnsupportedVersion});
    return;
  }
  fuzz::exerciseFittedModel(*model);
  // What loaded must save, and load again to the same answers.
  std::vector<std::uint8_t> again = model->save();
  std::unique_ptr<Recommender> reloaded = loadRecommender(again);
  fuzz::expect(reloaded->kind() == model->kind(), "round trip keeps the kind");
  fuzz::expect(reloaded->save() == again, "a re-saved snapshot is byte-identical");
  if (model->trainingData().numUsers() > 0) {
    Query query;
    query.user = 0;
    RecommendOptions options;
    Recommendations a = model->recommend(query, options);
    Recommendations b = reloaded->recommend(query, options);
    fuzz::expect(a.items == b.items, "round trip keeps recommendations");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  tryLoad(bytes);
  if (size >= kHeaderBytes + kTrailerBytes) {
    const std::uint64_t payload = size - kHeaderBytes - kTrailerBytes;
    std::memcpy(bytes.data() + 12, &payload, sizeof(payload));
    const std::uint32_t crc = crc32(bytes.data(), size - kTrailerBytes);
    std::memcpy(bytes.data() + size - kTrailerBytes, &crc, sizeof(crc));
    tryLoad(bytes);
  }
  return 0;
}
