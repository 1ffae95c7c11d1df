#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.h"
#include "recwasm/demo_data.h"
#include "recwasm/error.h"
#include "recwasm/evaluation.h"
#include "recwasm/model_registry.h"
#include "recwasm/models/two_tower.h"
#include "recwasm/split.h"

using namespace recwasm;

namespace {

TrainTestSplit notebookSplit(std::uint32_t dataSeed, Dataset& train) {
  DemoDataParams params;
  params.seed = dataSeed;
  Dataset full = demoDataset(generateDemoData(params));
  TrainTestSplit split = leaveOneOutSplit(*full.interactions, 42);
  train = full;
  train.interactions = std::make_shared<Interactions>(split.train);
  return split;
}

Dataset notebookTrain() {
  Dataset train;
  notebookSplit(42, train);
  return train;
}

double meanRecall(const OptionMap& options) {
  double recall = 0;
  for (std::uint32_t seed = 0; seed < 20; ++seed) {
    Dataset train;
    TrainTestSplit split = notebookSplit(seed, train);
    TwoTower model(options);
    model.fit(train);
    recall += evaluate(model, split.test, {}).mean.recall / 20;
  }
  return recall;
}

// The notebook's loss in double precision, written independently of the trainer.
struct DoubleTwoTower {
  int d;
  std::vector<double> u, v;

  explicit DoubleTwoTower(const TwoTowerParameters& p) : d(p.userEmbeddings.width()) {
    for (int r = 0; r < p.userEmbeddings.rows(); ++r) {
      for (int c = 0; c < d; ++c) u.push_back(p.userEmbeddings.row(r)[c]);
    }
    for (int r = 0; r < p.itemEmbeddings.rows(); ++r) {
      for (int c = 0; c < d; ++c) v.push_back(p.itemEmbeddings.row(r)[c]);
    }
  }

  double cosine(int user, int item) const {
    double uv = 0, uu = 0, vv = 0;
    for (int c = 0; c < d; ++c) {
      uv += u[user * d + c] * v[item * d + c];
      uu += u[user * d + c] * u[user * d + c];
      vv += v[item * d + c] * v[item * d + c];
    }
    return uv / (std::sqrt(std::max(uu, 1e-12)) * std::sqrt(std::max(vv, 1e-12)));
  }

  double l2(double strength) const {
    double s = 0;
    for (double x : u) s += x * x;
    for (double x : v) s += x * x;
    return strength * s / 2;
  }

  double sigmoidLoss(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
                     const std::vector<float>& labels, double tau, double strength) const {
    double sum = 0;
    for (std::size_t j = 0; j < users.size(); ++j) {
      const double x = cosine(users[j], items[j]) / tau;
      sum += std::max(x, 0.0) - x * labels[j] + std::log1p(std::exp(-std::fabs(x)));
    }
    return sum / users.size() + l2(strength);
  }

  double softmaxLoss(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
                     double tau, double strength) const {
    double sum = 0;
    for (std::size_t a = 0; a < users.size(); ++a) {
      double z = 0;
      for (std::size_t b = 0; b < users.size(); ++b) {
        if (b != a && items[b] == items[a]) continue;
        z += std::exp(cosine(users[a], items[b]) / tau);
      }
      sum += std::log(z) - cosine(users[a], items[a]) / tau;
    }
    return sum / users.size() + l2(strength);
  }
};

void checkGradient(const std::string& loss) {
  const double tau = 0.5, strength = 0.01;
  OptionMap options{{"factors", 6.0}, {"loss", loss}, {"temperature", tau}, {"l2", strength}};
  Dataset train = notebookTrain();
  TwoTowerTrainer trainer(TwoTower::parseOptions(options, nullptr), train.interactions);
  TwoTowerParameters params = trainer.parameters();
  Random rng(11, 0);
  params.userEmbeddings.fillUniform(rng, -1.0f, 1.0f);
  params.itemEmbeddings.fillUniform(rng, -1.0f, 1.0f);
  trainer.setParameters(params);
  // Users and items repeat, and item 4 appears twice (masked in the softmax).
  std::vector<std::int32_t> users{0, 1, 1, 3, 0, 2, 5};
  std::vector<std::int32_t> items{4, 4, 9, 0, 7, 11, 13};
  std::vector<float> labels{1, 0, 1, 0, 0, 1, 1};
  TwoTowerParameters gradient;
  const double got = trainer.probeGradient(users, items, labels, gradient);
  DoubleTwoTower reference(params);
  auto lossAt = [&](const DoubleTwoTower& r) {
    return loss == "sigmoid" ? r.sigmoidLoss(users, items, labels, tau, strength)
                             : r.softmaxLoss(users, items, tau, strength);
  };
  CHECK(got == Approx(lossAt(reference) - reference.l2(strength)).epsilon(1e-5));
  const double h = 1e-6;
  auto check = [&](std::vector<double>& values, const FloatMatrix& g) {
    for (int r = 0; r < g.rows(); ++r) {
      for (int c = 0; c < g.width(); ++c) {
        double& x = values[r * g.width() + c];
        const double saved = x;
        x = saved + h;
        const double up = lossAt(reference);
        x = saved - h;
        const double down = lossAt(reference);
        x = saved;
        const double numeric = (up - down) / (2 * h);
        INFO(loss << " row " << r << " column " << c);
        CHECK(std::fabs(g.row(r)[c] - numeric) <= 1e-5 + 1e-4 * std::fabs(numeric));
      }
    }
  };
  check(reference.u, gradient.userEmbeddings);
  check(reference.v, gradient.itemEmbeddings);
}

std::vector<double> scoresOf(const Recommender& model, std::int32_t user) {
  Query query;
  query.user = user;
  return model.score(query);
}

ErrorCode codeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("two_tower gradients match finite differences of the notebook's loss", "[two_tower]") {
  checkGradient("sigmoid");
  checkGradient("softmax");
}

TEST_CASE("two_tower loss falls on the notebook data as the notebook's run did", "[two_tower]") {
  TwoTower model({});
  std::vector<double> losses;
  model.fit(notebookTrain(), [&](const FitProgress& p) {
    if (p.epochEnded) losses.push_back(p.loss);
    return true;
  });
  REQUIRE(losses.size() == 10);
  // The notebook printed 0.6911 for epoch 1 and 0.5364 for epoch 10.
  CHECK(losses.front() == Approx(0.69).margin(0.02));
  CHECK(losses.back() == Approx(0.54).margin(0.04));
  CHECK_FALSE(model.predictsRatings());
}

TEST_CASE("two_tower quality over generator seeds 0..19, notebook and temperature 0.3",
          "[two_tower]") {
  // An independent numpy implementation (bench/learned/reference_numpy.py) gives 0.437 for
  // the notebook's settings and 0.548 with temperature 0.3; other training seeds of recwasm
  // spread by about +-0.02.
  const double notebook = meanRecall({});
  CHECK(notebook > 0.38);
  CHECK(notebook < 0.48);
  CHECK(meanRecall({{"temperature", 0.3}}) >= 0.50);  // the acceptance bar
}

TEST_CASE("two_tower with the same seed is bit-identical, another seed differs", "[two_tower]") {
  Dataset train = notebookTrain();
  for (const std::string& loss : {"sigmoid", "softmax"}) {
    TwoTower a({{"loss", loss}}), b({{"loss", loss}}), c({{"loss", loss}, {"seed", 8.0}});
    a.fit(train);
    b.fit(train);
    c.fit(train);
    CHECK(a.save() == b.save());
    CHECK(scoresOf(a, 9) == scoresOf(b, 9));
    CHECK(scoresOf(a, 9) != scoresOf(c, 9));
  }
}

TEST_CASE("two_tower reports validation losses and stops early", "[two_tower]") {
  Dataset train = notebookTrain();
  TwoTower model(
      {{"epochs", 500.0}, {"validationFraction", 0.25}, {"patience", 2.0}, {"temperature", 0.2}});
  FitProgress last;
  int epochs = 0;
  model.fit(train, [&](const FitProgress& p) {
    if (p.epochEnded) {
      ++epochs;
      CHECK(std::isfinite(p.validationLoss));
    }
    last = p;
    return true;
  });
  CHECK(last.done);
  CHECK(last.epoch == epochs);
  CHECK(epochs < 500);
}

TEST_CASE("two_tower rejects bad options and impossible data", "[two_tower]") {
  for (const OptionMap& bad :
       {OptionMap{{"epochs", 0.0}}, OptionMap{{"factors", 0.0}}, OptionMap{{"learningRate", -1.0}},
        OptionMap{{"temperature", 0.0}}, OptionMap{{"negatives", 0.0}},
        OptionMap{{"loss", std::string("hinge")}}, OptionMap{{"shuffleBuffer", -1.0}},
        OptionMap{{"loss", std::string("softmax")}, {"batchSize", 10000.0}},
        OptionMap{{"dim", 32.0}}}) {
    CHECK(codeOf([&] { createRecommender("two_tower", bad); }) == ErrorCode::kInvalidArgument);
  }
  // One item: no negative can be drawn.
  auto users = std::make_shared<IdMap>(IdMap::identity(2));
  auto items = std::make_shared<IdMap>(IdMap::identity(1));
  Dataset single;
  single.interactions =
      std::make_shared<Interactions>(users, items, std::vector<std::int32_t>{0, 1},
                                     std::vector<std::int32_t>{0, 0}, std::vector<double>{1, 1});
  TwoTower model({});
  CHECK(codeOf([&] { model.fit(single); }) == ErrorCode::kInvalidArgument);
  CHECK_FALSE(model.isFitted());
}

TEST_CASE("two_tower snapshots round-trip and reject corruption", "[two_tower]") {
  Dataset train = notebookTrain();
  TwoTower model({{"temperature", 0.3}});
  model.fit(train);
  std::vector<std::uint8_t> bytes = model.save();
  std::unique_ptr<Recommender> loaded = loadRecommender(bytes);
  CHECK(loaded->kind() == "two_tower");
  CHECK(scoresOf(*loaded, 4) == scoresOf(model, 4));
  CHECK(loaded->save() == bytes);
  bytes.resize(bytes.size() - 9);
  CHECK(codeOf([&] { loadRecommender(bytes); }) == ErrorCode::kCorruptSnapshot);
}

TEST_CASE("two_tower scores cosines, folds in histories and finds similar items", "[two_tower]") {
  Dataset train = notebookTrain();
  TwoTower model({});
  model.fit(train);
  DoubleTwoTower reference(model.parameters());
  std::vector<double> scores = scoresOf(model, 6);
  for (int i = 0; i < 60; ++i) CHECK(scores[i] == Approx(reference.cosine(6, i)).margin(1e-6));

  // Fold-in: the direction of the mean of the history's unit item vectors.
  History history;
  history.items = {2, 30, 45};
  Query query;
  query.history = &history;
  std::vector<double> folded = model.score(query);
  const int d = reference.d;
  std::vector<double> mean(d, 0.0);
  for (int item : history.items) {
    double norm = 0;
    for (int c = 0; c < d; ++c) norm += reference.v[item * d + c] * reference.v[item * d + c];
    for (int c = 0; c < d; ++c) mean[c] += reference.v[item * d + c] / std::sqrt(norm);
  }
  double meanNorm = 0;
  for (double x : mean) meanNorm += x * x;
  for (int i = 0; i < 60; ++i) {
    double dotted = 0, norm = 0;
    for (int c = 0; c < d; ++c) {
      dotted += mean[c] * reference.v[i * d + c];
      norm += reference.v[i * d + c] * reference.v[i * d + c];
    }
    CHECK(folded[i] == Approx(dotted / std::sqrt(meanNorm * norm)).margin(1e-5));
  }
  Recommendations recs = model.recommend(query, {});
  for (std::int32_t item : recs.items) {
    CHECK(std::find(history.items.begin(), history.items.end(), item) == history.items.end());
  }

  Recommendations similar = model.similarItems(20, 4);
  REQUIRE(similar.items.size() == 4);
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(similar.items[j] != 20);
    double cos = 0, a = 0, b = 0;
    for (int c = 0; c < d; ++c) {
      cos += reference.v[20 * d + c] * reference.v[similar.items[j] * d + c];
      a += reference.v[20 * d + c] * reference.v[20 * d + c];
      b += reference.v[similar.items[j] * d + c] * reference.v[similar.items[j] * d + c];
    }
    CHECK(similar.scores[j] == Approx(cos / std::sqrt(a * b)).margin(1e-5));
  }
  std::vector<Contribution> why = model.explain(query, recs.items[0], 5);
  CHECK(why.size() == 3);  // every history item, strongest first
  CHECK(why[0].weight >= why[1].weight);
  CHECK(why[1].weight >= why[2].weight);
}

TEST_CASE("two_tower's in-batch softmax beats the notebook's loss on the notebook data",
          "[two_tower]") {
  CHECK(meanRecall({{"loss", std::string("softmax")}}) > 0.55);
}

TEST_CASE("two_tower recovers the checkerboard from its positive rows", "[two_tower]") {
  // The model suite's checkerboard without the low-rated rows: what an implicit model sees as
  // positives is then exactly each user's own parity.
  const fixtures::Fixture f = fixtures::checkerboard();
  const Interactions& all = *f.train.interactions;
  std::vector<std::size_t> liked;
  for (std::size_t r = 0; r < all.numRows(); ++r) {
    if (all.values()[r] >= 3) liked.push_back(r);
  }
  Dataset train;
  train.interactions = std::make_shared<Interactions>(all.selectRows(liked));
  TwoTower model({{"epochs", 200.0}, {"batchSize", 16.0}});
  model.fit(train);
  RecommendOptions options;
  options.k = f.recoveryK;
  for (std::int32_t u = 0; u < f.test->numUsers(); ++u) {
    INFO("user " << u);
    Query query;
    query.user = u;
    const Recommendations r = model.recommend(query, options);
    const std::int32_t heldOut = f.test->historyOf(u).front();
    CHECK(std::find(r.items.begin(), r.items.end(), heldOut) != r.items.end());
    for (std::int32_t item : r.items) CHECK(item % 2 == u % 2);
  }
  for (std::int32_t item = 0; item < all.numItems(); ++item) {
    for (std::int32_t other : model.similarItems(item, 3).items) CHECK(other % 2 == item % 2);
  }
}
