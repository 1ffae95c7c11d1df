#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/covisitation.h"
#include "recwasm/split.h"

using namespace recwasm;

TEST_CASE("covisitation reproduces the notebook on seed 42", "[covisitation]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  Dataset train = full;
  train.interactions = std::make_shared<Interactions>(split.train);
  Covisitation model({});
  model.fit(train);
  Evaluation e = evaluate(model, split.test, {});
  CHECK(e.mean.precision == Approx(0.043).margin(0.0005));
  CHECK(e.mean.recall == Approx(0.433).margin(0.0005));
  Query q;
  q.user = 2;
  Recommendations r = model.recommend(q, {});
  CHECK(r.items == std::vector<std::int32_t>{15, 57, 32, 22, 26, 39, 58});
  CHECK(split.train.historyOf(2).back() == 38);
}
