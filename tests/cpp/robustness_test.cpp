// Regression tests for defects the fuzzers (tests/fuzz) found: each case is the smallest
// reproduction, written out so it reads as a contract. The reproducers themselves also replay
// from tests/fuzz/corpus in every ctest run.
#include <catch2/catch.hpp>

#include "recwasm/error.h"
#include "recwasm/model_registry.h"
#include "recwasm/snapshot.h"

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
