#include <catch2/catch.hpp>

#include "recwasm/demo_data.h"
#include "recwasm/evaluation.h"
#include "recwasm/models/content_tfidf.h"
#include "recwasm/split.h"

using namespace recwasm;

TEST_CASE("content_tfidf reproduces the notebook on seed 42", "[content]") {
  Dataset full = demoDataset(generateDemoData({}));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  Dataset train = full;
  train.interactions = std::make_shared<Interactions>(split.train);
  ContentTfidf model({});
  model.fit(train);
  Evaluation e = evaluate(model, split.test, {});
  CHECK(e.mean.precision == Approx(0.08));
  CHECK(e.mean.recall == Approx(0.8));
  Query q;
  q.user = 2;
  Recommendations r = model.recommend(q, {});
  CHECK(r.items == std::vector<std::int32_t>{29, 30, 6, 17, 0, 50, 40, 24, 12, 58});
}
