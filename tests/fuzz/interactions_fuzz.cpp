// Fuzzes data in: Interactions from dense rows (ids possibly out of range, values possibly NaN,
// infinite or extreme) and from external ids, with item text and sessions. Construction must
// refuse with kInvalidArgument or give consistent views; then every registered model must fit
// on the table (or refuse with a typed error and stay unfitted) and serve valid answers for
// every user, before and after the notebook's split.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "recwasm/model_registry.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

void checkViews(const Interactions& data) {
  const SparseRows& byUser = data.userItemRatings();
  const SparseRows& byItem = data.itemUserRatings();
  fuzz::expect(byUser.rows() == data.numUsers() && byItem.rows() == data.numItems(),
               "one sparse row per user and per item");
  fuzz::expect(byUser.nonZeros() == byItem.nonZeros(), "the item view transposes the user view");
  std::size_t historyRows = 0;
  for (std::int32_t u = 0; u < data.numUsers(); ++u) {
    Span<std::int32_t> items = byUser.indicesOf(u);
    for (std::size_t k = 1; k < items.size(); ++k) {
      fuzz::expect(items[k - 1] < items[k], "user rows hold each item once, ascending");
    }
    historyRows += data.rowsOfUser(u).size();
  }
  fuzz::expect(historyRows == data.numRows(), "every row belongs to one user history");
}

void fitAndServe(const Dataset& data) {
  for (const std::string& kind : modelKinds()) {
    fuzz::Context fitting(kind + " fitting");
    std::unique_ptr<Recommender> model = createRecommender(kind, {});
    try {
      model->fit(data);
    } catch (const Error& e) {
      fuzz::expectCode(e, {ErrorCode::kInvalidArgument, ErrorCode::kTrainingDiverged});
      fuzz::expect(!model->isFitted(), "a failed fit leaves the model unfitted");
      continue;
    }
    fuzz::exerciseFittedModel(*model, 16);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::ByteReader in(bytes, size);
  const bool external = in.flag();
  const bool withTimestamps = in.flag();
  const auto numUsers = static_cast<std::int32_t>(in.intIn(0, 12));
  const auto numItems = static_cast<std::int32_t>(in.intIn(0, 16));
  const auto rows = static_cast<std::size_t>(in.intIn(0, 80));

  Dataset data;
  try {
    if (external) {
      std::vector<ExternalId> users, items;
      std::vector<double> values;
      std::vector<std::int64_t> timestamps;
      for (std::size_t r = 0; r < rows; ++r) {
        // Mostly small ids (so users have several rows), sometimes any 64-bit value.
        users.push_back(in.flag() ? in.pod<std::int64_t>() : in.intIn(-2, numUsers));
        items.push_back(in.flag() ? in.pod<std::int64_t>() : in.intIn(-2, numItems));
        values.push_back(in.number());
        if (withTimestamps) timestamps.push_back(in.pod<std::int64_t>());
      }
      data.interactions = std::make_shared<Interactions>(
          Interactions::fromExternal(users, items, std::move(values), std::move(timestamps)));
    } else {
      std::vector<std::int32_t> users, items;
      std::vector<double> values;
      std::vector<std::int64_t> timestamps;
      for (std::size_t r = 0; r < rows; ++r) {
        users.push_back(static_cast<std::int32_t>(in.intIn(-1, numUsers)));
        items.push_back(static_cast<std::int32_t>(in.intIn(-1, numItems)));
        values.push_back(in.number());
        if (withTimestamps) timestamps.push_back(in.intIn(0, 100000));
      }
      data.interactions = std::make_shared<Interactions>(
          std::make_shared<IdMap>(IdMap::identity(numUsers)),
          std::make_shared<IdMap>(IdMap::identity(numItems)), std::move(users), std::move(items),
          std::move(values), std::move(timestamps));
    }
  } catch (const Error& e) {
    fuzz::expectCode(e, {ErrorCode::kInvalidArgument});
    return 0;
  }
  checkViews(*data.interactions);

  const std::int32_t catalogue = data.interactions->numItems();
  if (in.flag()) {
    auto text = std::make_shared<std::vector<std::string>>();
    static const char* kWords[] = {"space", "robot", "love", "the", "and", "ghost", "x", "é"};
    for (std::int32_t i = 0; i < catalogue; ++i) {
      std::string t;
      for (int w = in.byte() % 4; w > 0; --w) t += std::string(kWords[in.byte() % 8]) + " ";
      text->push_back(t);
    }
    data.itemText = text;
  }
  if (in.flag() && catalogue > 0) {
    auto sessions = std::make_shared<std::vector<std::vector<std::int32_t>>>();
    for (int s = in.byte() % 6; s > 0; --s) {
      std::vector<std::int32_t> session;
      for (int n = in.byte() % 8; n > 0; --n) {
        session.push_back(static_cast<std::int32_t>(in.intIn(0, catalogue - 1)));
      }
      sessions->push_back(session);
    }
    data.sessions = sessions;
  }

  fitAndServe(data);
  TrainTestSplit split = leaveOneOutSplit(*data.interactions, in.pod<std::uint32_t>());
  checkViews(split.train);
  Dataset train = data;
  train.interactions = std::make_shared<Interactions>(std::move(split.train));
  fitAndServe(train);
  return 0;
}
