// Shared test data and helpers: the checkerboard every model must learn, the notebook's demo
// split, snapshot (re)framing for corruption tests, and error-code matching.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/interactions.h"
#include "recwasm/snapshot.h"
#include "recwasm/split.h"

namespace Catch {
template <>
struct StringMaker<recwasm::ErrorCode> {
  static std::string convert(recwasm::ErrorCode code) {
    return std::string(recwasm::errorCodeName(code));
  }
};
}  // namespace Catch

namespace fixtures {

/// The code of the recwasm::Error `f` throws, or nullopt when it returns normally. Any other
/// exception escapes (and fails the test).
template <class F>
std::optional<recwasm::ErrorCode> errorOf(F&& f) {
  try {
    f();
  } catch (const recwasm::Error& e) {
    return e.code();
  }
  return std::nullopt;
}

/// A train/test pair plus what the models share (item text, sessions).
struct Fixture {
  std::string name;
  recwasm::Dataset train;  ///< training interactions + item text + sessions
  std::shared_ptr<recwasm::Interactions> test;
  int recoveryK = 0;  ///< personalised models find each test item in top-k
};

/// The checkerboard: 20 users, 16 items; even users like even items, odd users odd items.
///
/// User u (parity p = u % 2, rank j = u / 2) with own items o_0..o_7 = the items of parity p
/// and other items q_0..q_7:
/// - train, in this order: q_j and q_(j+3) (mod 8) rated low, then o_j .. o_(j+4) rated high;
///   the last train item is therefore always an own item;
/// - test: o_(j+5); never rated: o_(j+6), o_(j+7).
/// So each user has 3 unseen own items (one of them the test item) among 9 unseen items, and
/// a model that has learnt the parity ranks the test item within the top 3.
/// Ratings depend on an item's quality q(o_k) = k % 3: own items 4 + q/2, other items
/// 2 - q/2, so users of one parity agree (Pearson +1 where defined), users of different parity
/// disagree (Pearson -1), and every user's ratings vary.
/// Item text: "sunny" (even) or "rainy" (odd) plus two of four parity-specific fruit words.
/// Sessions: one per user, all 8 of its own items, starting at o_j.
inline Fixture checkerboard() {
  using namespace recwasm;
  constexpr int kUsers = 20, kItems = 16, kPerParity = 8;
  auto own = [](int parity, int k) { return parity + 2 * (k % kPerParity); };
  auto quality = [](int item) { return (item / 2) % 3; };
  std::vector<std::int32_t> users, items, testUsers, testItems;
  std::vector<double> values, testValues;
  auto sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>();
  for (int u = 0; u < kUsers; ++u) {
    const int p = u % 2, j = u / 2;
    for (int k : {j, j + 3}) {
      const int item = own(1 - p, k);
      users.push_back(u);
      items.push_back(item);
      values.push_back(2.0 - 0.5 * quality(item));
    }
    for (int t = 0; t < 5; ++t) {
      const int item = own(p, j + t);
      users.push_back(u);
      items.push_back(item);
      values.push_back(4.0 + 0.5 * quality(item));
    }
    testUsers.push_back(u);
    testItems.push_back(own(p, j + 5));
    testValues.push_back(4.0 + 0.5 * quality(own(p, j + 5)));
    std::vector<std::int32_t> session;
    for (int t = 0; t < kPerParity; ++t) session.push_back(own(p, j + t));
    sessions->push_back(std::move(session));
  }
  const char* evenWords[] = {"apple", "banana", "cherry", "grape"};
  const char* oddWords[] = {"lemon", "mango", "peach", "plum"};
  auto text = std::make_shared<std::vector<std::string>>();
  for (int i = 0; i < kItems; ++i) {
    const char** words = i % 2 == 0 ? evenWords : oddWords;
    const int k = i / 2;
    text->push_back(std::string(i % 2 == 0 ? "sunny " : "rainy ") + words[k % 4] + " " +
                    words[(k + 1) % 4]);
  }
  auto userMap = std::make_shared<IdMap>(IdMap::identity(kUsers));
  auto itemMap = std::make_shared<IdMap>(IdMap::identity(kItems));
  Fixture f;
  f.name = "checkerboard";
  f.train.interactions = std::make_shared<Interactions>(userMap, itemMap, users, items, values);
  f.train.itemText = text;
  f.train.sessions = sessions;
  f.test = std::make_shared<Interactions>(userMap, itemMap, testUsers, testItems, testValues);
  f.recoveryK = 3;
  return f;
}

/// The notebook's data and leave-one-out split (seed 42); no recovery requirement.
inline Fixture notebookDemo() {
  using namespace recwasm;
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  Fixture f;
  f.name = "notebook demo";
  f.train = full;
  f.train.interactions = std::make_shared<Interactions>(std::move(split.train));
  f.test = std::make_shared<Interactions>(std::move(split.test));
  return f;
}

// ---- snapshot framing (see snapshot.h) -------------------------------------------------------

constexpr std::size_t kSnapshotHeader = 8 + 4 + 8;

/// The payload of well-formed snapshot bytes.
inline std::vector<std::uint8_t> snapshotPayload(const std::vector<std::uint8_t>& bytes) {
  REQUIRE(bytes.size() >= kSnapshotHeader + 4);
  return {bytes.begin() + kSnapshotHeader, bytes.end() - 4};
}

/// Valid framing (magic, current version, length, CRC) around any payload, so that a test
/// reaches the model's own decoding.
inline std::vector<std::uint8_t> frameSnapshot(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> out(kSnapshotHeader + payload.size() + 4);
  std::memcpy(out.data(), "RECWASM", 8);
  const std::uint32_t version = recwasm::kSnapshotVersion;
  const std::uint64_t length = payload.size();
  std::memcpy(out.data() + 8, &version, 4);
  std::memcpy(out.data() + 12, &length, 8);
  if (!payload.empty()) std::memcpy(out.data() + kSnapshotHeader, payload.data(), payload.size());
  const std::uint32_t crc = recwasm::crc32(out.data(), out.size() - 4);
  std::memcpy(out.data() + out.size() - 4, &crc, 4);
  return out;
}

}  // namespace fixtures
