#include "recwasm/split.h"

#include "recwasm/numpy_random.h"

namespace recwasm {

TrainTestSplit leaveOneOutSplit(const Interactions& data, std::uint32_t seed) {
  std::vector<std::size_t> trainRows, testRows;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> rows = data.rowsOfUser(u);
    if (rows.empty()) continue;
    NumpyRandomState rng(seed);
    std::vector<std::int64_t> order = rng.permutation(rows.size());
    for (std::size_t k = 0; k + 1 < order.size(); ++k) {
      trainRows.push_back(static_cast<std::size_t>(rows[static_cast<std::size_t>(order[k])]));
    }
    testRows.push_back(static_cast<std::size_t>(rows[static_cast<std::size_t>(order.back())]));
  }
  return {data.selectRows(trainRows), data.selectRows(testRows)};
}

}  // namespace recwasm
