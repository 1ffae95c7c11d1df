#include "recwasm/models/two_tower.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "learned_streams.h"
#include "recwasm/cold.h"
#include "recwasm/det_math.h"
#include "recwasm/error.h"

namespace recwasm {

namespace {

// tf.nn.l2_normalize: x / sqrt(max(|x|^2, 1e-12)). Returns 1/sqrt(...); `clamped` tells that
// the floor was hit (the norm then has no gradient).
float normalizeInto(const float* x, float* out, std::int32_t n, bool& clamped) {
  const float squared = kernels::dot(x, x, n);
  clamped = !(squared > 1e-12f);
  const float inverse = 1.0f / std::sqrt(clamped ? 1e-12f : squared);
  kernels::scale(inverse, x, out, n);
  return inverse;
}

void drawNegatives(Random& rng, std::int32_t numItems, std::int32_t positive, int count,
                   std::int32_t user, std::vector<std::int32_t>& users,
                   std::vector<std::int32_t>& items, std::vector<float>& labels) {
  for (int k = 0; k < count; ++k) {
    std::uint32_t n;
    do n = rng.below(static_cast<std::uint32_t>(numItems));
    while (static_cast<std::int32_t>(n) == positive);
    users.push_back(user);
    items.push_back(static_cast<std::int32_t>(n));
    labels.push_back(0.0f);
  }
}

}  // namespace

// ---- TwoTowerTrainer ----------------------------------------------------------------------

RECWASM_COLD TwoTowerTrainer::TwoTowerTrainer(const TwoTowerConfig& config,
                                              std::shared_ptr<const Interactions> data)
    : EpochRun("two_tower", config.training),
      config_(config),
      data_(std::move(data)),
      optimizer_(config.training,
                 config.training.resolveUpdates(static_cast<std::int64_t>(data_->numUsers()) +
                                                data_->numItems())),
      shuffleRng_(config.training.seed, streams::kShuffle),
      negativeRng_(config.training.seed, streams::kNegatives),
      stride_(kernels::paddedWidth(config.factors)),
      popularity_(*data_) {
  const Interactions& d = *data_;
  require(d.numRows() > 0, "two_tower needs at least one training row");
  const bool sigmoid = config_.loss == TwoTowerLoss::kSigmoid;
  require(!sigmoid || d.numItems() >= 2, "two_tower needs at least 2 items to draw negatives from");

  UserItemPairs pairs = distinctPairs(d);  // the notebook's drop_duplicates
  Random validationRng(config_.training.seed, streams::kValidation);
  std::vector<std::uint8_t> held =
      chooseValidationRows(pairs.size(), config_.training.validationFraction, validationRng);
  for (std::size_t r = 0; r < pairs.size(); ++r) {
    if (!held[r]) {
      trainUsers_.push_back(pairs.users[r]);
      trainItems_.push_back(pairs.items[r]);
      continue;
    }
    validUsers_.push_back(pairs.users[r]);
    validItems_.push_back(pairs.items[r]);
    validLabels_.push_back(1.0f);
    if (sigmoid) {  // fixed negatives, so that validation losses compare across epochs
      drawNegatives(validationRng, d.numItems(), pairs.items[r], config_.negatives, pairs.users[r],
                    validUsers_, validItems_, validLabels_);
    }
  }

  Random init(config_.training.seed, streams::kInit);
  const auto scale = static_cast<float>(config_.training.initScale);
  FloatMatrix users(d.numUsers(), config_.factors), items(d.numItems(), config_.factors);
  users.fillUniform(init, -scale, scale);
  items.fillUniform(init, -scale, scale);
  const std::int32_t batch = config_.training.batchSize;
  const std::int32_t userSlots = std::min(batch, d.numUsers());
  const std::int32_t itemSlots = std::min(batch, d.numItems());
  tables_[kUsers] = TrainableTable(users, config_.training.optimizer, userSlots);
  tables_[kItems] = TrainableTable(items, config_.training.optimizer, itemSlots);
  units_[kUsers].resize(static_cast<std::size_t>(userSlots) * stride_);
  units_[kItems].resize(static_cast<std::size_t>(itemSlots) * stride_);
  inverseNorms_[kUsers].resize(static_cast<std::size_t>(userSlots));
  inverseNorms_[kItems].resize(static_cast<std::size_t>(itemSlots));
  if (!sigmoid) softmaxRow_.resize(static_cast<std::size_t>(batch));

  const std::size_t perPositive = sigmoid ? 1 + static_cast<std::size_t>(config_.negatives) : 1;
  setExamplesPerEpoch(trainUsers_.size() * perPositive);
}

void TwoTowerTrainer::beginEpoch(int) {
  std::vector<std::int32_t> users, items;
  std::vector<float> labels;
  const bool sigmoid = config_.loss == TwoTowerLoss::kSigmoid;
  const std::size_t perPositive = sigmoid ? 1 + static_cast<std::size_t>(config_.negatives) : 1;
  users.reserve(trainUsers_.size() * perPositive);
  items.reserve(trainUsers_.size() * perPositive);
  labels.reserve(trainUsers_.size() * perPositive);
  // The notebook's generator order: each positive, then its negatives.
  for (std::size_t r = 0; r < trainUsers_.size(); ++r) {
    users.push_back(trainUsers_[r]);
    items.push_back(trainItems_[r]);
    labels.push_back(1.0f);
    if (sigmoid) {
      drawNegatives(negativeRng_, data_->numItems(), trainItems_[r], config_.negatives,
                    trainUsers_[r], users, items, labels);
    }
  }
  const std::size_t buffer = sigmoid ? static_cast<std::size_t>(config_.shuffleBuffer) : 0;
  std::vector<std::uint32_t> order = bufferedShuffleOrder(users.size(), buffer, shuffleRng_);
  epochUsers_.resize(order.size());
  epochItems_.resize(order.size());
  epochLabels_.resize(order.size());
  for (std::size_t j = 0; j < order.size(); ++j) {
    epochUsers_[j] = users[order[j]];
    epochItems_[j] = items[order[j]];
    epochLabels_[j] = labels[order[j]];
  }
}

std::int32_t TwoTowerTrainer::unitSlot(Table t, std::int32_t row, bool& fresh) {
  const std::int32_t s = tables_[t].claimSlot(row, fresh);
  if (fresh) {
    bool clamped;
    float inverse = normalizeInto(tables_[t].values().row(row), unit(t, s), stride_, clamped);
    // A negative inverse norm marks a clamped norm, whose gradient skips the projection.
    inverseNorms_[t][static_cast<std::size_t>(s)] = clamped ? -inverse : inverse;
  }
  return s;
}

void TwoTowerTrainer::backThroughNormalisation(Table t) {
  TrainableTable& table = tables_[t];
  const std::size_t slots = table.touchedRows().size();
  for (std::size_t s = 0; s < slots; ++s) {
    const auto slot = static_cast<std::int32_t>(s);
    float* g = table.gradient(slot);
    const float* u = unit(t, slot);
    const float inverse = inverseNorms_[t][s];
    if (inverse < 0) {
      kernels::scale(-inverse, g, g, stride_);
    } else {
      kernels::removeComponentAndScale(u, kernels::dot(u, g, stride_), inverse, g, stride_);
    }
  }
}

double TwoTowerTrainer::sigmoidBatch(const std::int32_t* users, const std::int32_t* items,
                                     const float* labels, std::size_t n) {
  TrainableTable& ut = tables_[kUsers];
  TrainableTable& it = tables_[kItems];
  // First every row the batch touches, normalised into the slot caches: the loads from the
  // large tables overlap here, and the arithmetic below stays in the small caches.
  // A row's first example in the batch writes its gradient, later ones add to it.
  std::vector<std::int32_t>& slots = scratchSlots_;
  std::vector<std::uint8_t>& first = scratchFirst_;
  slots.resize(2 * n);
  first.resize(2 * n);
  for (std::size_t j = 0; j < n; ++j) {
    bool fresh;
    slots[j] = unitSlot(kUsers, users[j], fresh);
    first[j] = fresh;
    slots[n + j] = unitSlot(kItems, items[j], fresh);
    first[n + j] = fresh;
  }
  const auto tau = static_cast<float>(config_.temperature);
  const float inverseN = 1.0f / static_cast<float>(n);
  double lossSum = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t su = slots[j];
    const std::int32_t si = slots[n + j];
    const float* uu = unit(kUsers, su);
    const float* iu = unit(kItems, si);
    const float x = kernels::dot(uu, iu, stride_) / tau;
    const detmath::Logistic l = detmath::logistic(x, labels[j]);
    lossSum += l.loss;
    // d(mean loss)/d(cosine) = (sigmoid(x) - z) / n / tau
    const float dc = static_cast<float>(l.probability - labels[j]) * inverseN / tau;
    if (first[j]) {
      kernels::scale(dc, iu, ut.gradient(su), stride_);
    } else {
      kernels::axpy(dc, iu, ut.gradient(su), stride_);
    }
    if (first[n + j]) {
      kernels::scale(dc, uu, it.gradient(si), stride_);
    } else {
      kernels::axpy(dc, uu, it.gradient(si), stride_);
    }
  }
  return lossSum / static_cast<double>(n);
}

double TwoTowerTrainer::softmaxBatch(const std::int32_t* users, const std::int32_t* items,
                                     std::size_t n) {
  TrainableTable& ut = tables_[kUsers];
  TrainableTable& it = tables_[kItems];
  std::vector<std::int32_t>& slots = scratchSlots_;
  slots.resize(2 * n);
  for (std::size_t j = 0; j < n; ++j) {
    bool fresh;
    slots[j] = unitSlot(kUsers, users[j], fresh);
    if (fresh) kernels::zero(ut.gradient(slots[j]), stride_);
    slots[n + j] = unitSlot(kItems, items[j], fresh);
    if (fresh) kernels::zero(it.gradient(slots[n + j]), stride_);
  }
  const auto tau = static_cast<float>(config_.temperature);
  const float inverseN = 1.0f / static_cast<float>(n);
  std::vector<double>& e = softmaxRow_;
  double lossSum = 0.0;
  for (std::size_t a = 0; a < n; ++a) {
    const float* uu = unit(kUsers, slots[a]);
    // Logits against every item of the batch; copies of the row's own item are not negatives.
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t b = 0; b < n; ++b) {
      const bool masked = b != a && items[b] == items[a];
      e[b] = masked
                 ? -std::numeric_limits<double>::infinity()
                 : static_cast<double>(kernels::dot(uu, unit(kItems, slots[n + b]), stride_) / tau);
      max = std::max(max, e[b]);
    }
    const double positive = e[a];
    double sum = 0.0;
    for (std::size_t b = 0; b < n; ++b) {
      e[b] = e[b] == -std::numeric_limits<double>::infinity() ? 0.0 : detmath::expShort(e[b] - max);
      sum += e[b];
    }
    lossSum += detmath::log(sum) + max - positive;
    float* gu = ut.gradient(slots[a]);
    for (std::size_t b = 0; b < n; ++b) {
      const double p = e[b] / sum - (a == b ? 1.0 : 0.0);
      if (p == 0.0) continue;
      const float dc = static_cast<float>(p) * inverseN / tau;
      kernels::axpy(dc, unit(kItems, slots[n + b]), gu, stride_);
      kernels::axpy(dc, uu, it.gradient(slots[n + b]), stride_);
    }
  }
  return lossSum / static_cast<double>(n);
}

double TwoTowerTrainer::batchGradient(const std::int32_t* users, const std::int32_t* items,
                                      const float* labels, std::size_t n) {
  const double loss = config_.loss == TwoTowerLoss::kSigmoid ? sigmoidBatch(users, items, labels, n)
                                                             : softmaxBatch(users, items, n);
  backThroughNormalisation(kUsers);
  backThroughNormalisation(kItems);
  return loss;
}

double TwoTowerTrainer::trainBatch(std::size_t begin, std::size_t end) {
  optimizer_.beginStep();
  const double loss =
      batchGradient(&epochUsers_[begin], &epochItems_[begin], &epochLabels_[begin], end - begin);
  for (TrainableTable& t : tables_) t.applyStep(optimizer_, false);
  return loss;
}

double TwoTowerTrainer::validationSigmoid() {
  std::vector<float> uu(static_cast<std::size_t>(stride_)), iu(static_cast<std::size_t>(stride_));
  const auto tau = static_cast<float>(config_.temperature);
  double sum = 0.0;
  bool clamped;
  for (std::size_t j = 0; j < validUsers_.size(); ++j) {
    normalizeInto(tables_[kUsers].values().row(validUsers_[j]), uu.data(), stride_, clamped);
    normalizeInto(tables_[kItems].values().row(validItems_[j]), iu.data(), stride_, clamped);
    const float x = kernels::dot(uu.data(), iu.data(), stride_) / tau;
    sum += detmath::logistic(x, validLabels_[j]).loss;
  }
  return sum / static_cast<double>(validUsers_.size());
}

double TwoTowerTrainer::validationSoftmax() {
  // The training loss on the held-out positives in batches of batchSize, nothing updated.
  const auto batch = static_cast<std::size_t>(config_.training.batchSize);
  double sum = 0.0;
  std::size_t batches = 0;
  for (std::size_t begin = 0; begin < validUsers_.size(); begin += batch) {
    const std::size_t n = std::min(batch, validUsers_.size() - begin);
    sum += softmaxBatch(&validUsers_[begin], &validItems_[begin], n);
    for (TrainableTable& t : tables_) t.discardGradients();
    ++batches;
  }
  return sum / static_cast<double>(batches);
}

double TwoTowerTrainer::validationLoss() {
  if (validUsers_.empty()) return std::numeric_limits<double>::quiet_NaN();
  return config_.loss == TwoTowerLoss::kSigmoid ? validationSigmoid() : validationSoftmax();
}

void TwoTowerTrainer::keepBest() {
  best_.clear();
  for (const TrainableTable& t : tables_) best_.push_back(t.snapshot());
}

void TwoTowerTrainer::restoreBest() {
  if (best_.empty()) return;
  for (std::size_t t = 0; t < tables_.size(); ++t) tables_[t].assign(best_[t]);
}

TwoTowerParameters TwoTowerTrainer::parameters() const {
  return {tables_[kUsers].snapshot(), tables_[kItems].snapshot()};
}

void TwoTowerTrainer::setParameters(const TwoTowerParameters& p) {
  auto assign = [](TrainableTable& t, const FloatMatrix& m) {
    require(m.rows() == t.values().rows() && m.width() == t.values().width(),
            "parameter shapes do not match the trainer");
    t.assign(m);
  };
  assign(tables_[kUsers], p.userEmbeddings);
  assign(tables_[kItems], p.itemEmbeddings);
}

double TwoTowerTrainer::probeGradient(Span<std::int32_t> users, Span<std::int32_t> items,
                                      Span<float> labels, TwoTowerParameters& gradient) {
  require(users.size() == items.size() && users.size() == labels.size() && !users.empty(),
          "a probe batch needs as many items and labels as users");
  require(users.size() <= static_cast<std::size_t>(config_.training.batchSize),
          "a probe batch may not exceed batchSize");
  for (std::int32_t u : users) require(u >= 0 && u < data_->numUsers(), "probe user out of range");
  for (std::int32_t i : items) require(i >= 0 && i < data_->numItems(), "probe item out of range");
  const double loss = batchGradient(users.data(), items.data(), labels.data(), users.size());
  auto dense = [&](TrainableTable& t) {
    FloatMatrix g(t.values().rows(), t.values().width());
    for (std::int32_t r = 0; r < g.rows(); ++r) {
      const std::int32_t s = t.slotOf(r);
      for (std::int32_t c = 0; c < g.width(); ++c) {
        g.row(r)[c] = (s >= 0 ? t.gradient(s)[c] : 0.0f) + optimizer_.l2() * t.values().row(r)[c];
      }
    }
    t.discardGradients();
    return g;
  };
  gradient.userEmbeddings = dense(tables_[kUsers]);
  gradient.itemEmbeddings = dense(tables_[kItems]);
  return loss;
}

// ---- TwoTower -----------------------------------------------------------------------------

RECWASM_COLD TwoTowerConfig TwoTower::parseOptions(const OptionMap& options, OptionMap* resolved) {
  OptionReader reader(options, "two_tower");
  TwoTowerConfig c;
  c.factors = reader.integer("factors", 32, 1, 4096);
  c.loss = reader.choice("loss", "sigmoid", {"sigmoid", "softmax"}) == "sigmoid"
               ? TwoTowerLoss::kSigmoid
               : TwoTowerLoss::kSoftmax;
  c.negatives = reader.integer("negatives", 3, 1, 1000);
  c.temperature = reader.number("temperature", 1.0, 1e-3, 1e3);
  c.shuffleBuffer = reader.integer("shuffleBuffer", 5000, 0, 1 << 30);
  c.training = TrainingOptions::read(reader, 0.0);
  reader.finish();
  // The in-batch softmax costs batchSize^2 per batch.
  require(c.loss != TwoTowerLoss::kSoftmax || c.training.batchSize <= 8192,
          "two_tower option 'batchSize' must be at most 8192 with loss 'softmax'");
  if (resolved) *resolved = reader.resolved();
  return c;
}

TwoTower::TwoTower(const OptionMap& options)
    : Recommender("two_tower",
                  [&] {
                    OptionMap resolved;
                    parseOptions(options, &resolved);
                    return resolved;
                  }()),
      config_(parseOptions(options, nullptr)) {}

std::unique_ptr<Recommender::TrainingRun> TwoTower::startTraining(const Dataset& data) {
  return std::make_unique<TwoTowerTrainer>(config_, data.interactions);
}

void TwoTower::adopt(TrainingRun& run) {
  auto& trainer = static_cast<TwoTowerTrainer&>(run);
  params_ = trainer.parameters();
  popularity_ = std::move(trainer.popularity());
  itemUnits_ = unitRows(params_.itemEmbeddings);
}

void TwoTower::scoreInto(const UserContext& user, double* scores) const {
  const std::int32_t stride = itemUnits_.stride();
  std::vector<float> query(static_cast<std::size_t>(stride), 0.0f);
  if (user.foldedIn) {
    if (user.items.empty()) {  // nothing to fold in: the popularity fallback
      const std::vector<double>& counts = popularity_.counts();
      for (std::size_t i = 0; i < counts.size(); ++i) {
        scores[i] = counts[i] > 0 ? counts[i] : -std::numeric_limits<double>::infinity();
      }
      return;
    }
    // The direction of the mean of the history's unit item vectors.
    std::vector<float> sum(static_cast<std::size_t>(stride), 0.0f);
    for (std::int32_t item : user.items)
      kernels::axpy(1.0f, itemUnits_.row(item), sum.data(), stride);
    bool clamped;
    normalizeInto(sum.data(), query.data(), stride, clamped);
  } else {
    bool clamped;
    normalizeInto(params_.userEmbeddings.row(user.user), query.data(), stride, clamped);
  }
  for (std::int32_t i = 0; i < itemUnits_.rows(); ++i) {
    scores[i] = kernels::dot(query.data(), itemUnits_.row(i), stride);
  }
}

void TwoTower::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  nearestRows(itemUnits_, item, k, out);
}

RECWASM_COLD std::vector<Contribution> TwoTower::explainItem(const UserContext& user,
                                                             std::int32_t item, int topN) const {
  return nearestHistoryItems(itemUnits_, user.items, item, topN);
}

RECWASM_COLD void TwoTower::saveState(SnapshotWriter& out) const {
  out.pod<std::uint32_t>(1);  // layout of this model's state
  params_.userEmbeddings.save(out);
  params_.itemEmbeddings.save(out);
}

RECWASM_COLD void TwoTower::loadState(SnapshotReader& in) {
  if (in.pod<std::uint32_t>() != 1) SnapshotReader::corrupt("unknown two_tower state layout");
  const Interactions& train = trainingData();
  TwoTowerParameters p;
  p.userEmbeddings = FloatMatrix::load(in, train.numUsers(), config_.factors);
  p.itemEmbeddings = FloatMatrix::load(in, train.numItems(), config_.factors);
  params_ = std::move(p);
  itemUnits_ = unitRows(params_.itemEmbeddings);
  popularity_ = PopularityRanking(train);
}

}  // namespace recwasm
