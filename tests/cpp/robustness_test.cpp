// Regression tests for defects the fuzzers (tests/fuzz) found: each case is the smallest
// reproduction, written out so it reads as a contract. The reproducers themselves also replay
// from tests/fuzz/corpus in every ctest run.
#include <catch2/catch.hpp>

#include <limits>

#include "recwasm/error.h"
#include "recwasm/model_registry.h"
#include "recwasm/snapshot.h"
#include "recwasm/top_k.h"

using namespace recwasm;

TEST_CASE("snapshots round-trip empty arrays without touching a null pointer", "[robust]") {
  // fuzz-snapshot: reading an empty vector passed vector::data() (null) to memcpy, undefined
  // behaviour that UBSan reports; every model without timestamps saves one.
  SnapshotWriter out;
  out.vector(std::vector<double>{});
  out.vector(std::vector<std::int64_t>{7});
  std::vector<std::uint8_t> bytes = out.finish();
  SnapshotReader in(bytes);
  CHECK(in.vector<double>().empty());
  CHECK(in.vector<std::int64_t>() == std::vector<std::int64_t>{7});
  in.expectEnd();
}

TEST_CASE("a top-k heap for k = INT_MAX allocates for its entries, not for k", "[robust]") {
  // fuzz-recommend (with the mf model): explain(topN = 2^31 - 1) reserved 2^31 heap entries
  // (32 GB) before looking at the user's few history items.
  TopK top(static_cast<std::size_t>(std::numeric_limits<int>::max()));
  top.push(0.5, 7);
  top.push(2.0, 3);
  top.push(0.5, 1);
  std::vector<std::int32_t> ids;
  std::vector<double> scores;
  top.drainSorted(ids, scores);
  CHECK(ids == std::vector<std::int32_t>{3, 1, 7});
  CHECK(scores == std::vector<double>{2.0, 0.5, 0.5});
}
