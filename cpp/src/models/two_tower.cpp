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

// One row of the in-batch softmax. `x` holds the row's dot products (masked ones -inf) and is
// divided by tau in place, into the logits; e receives e^(logit - max logit). Writes the row's
// weights in the gradient, (softmax - onehot(positive)) * scale / tau (0 where masked), and
// returns the row's cross-entropy. The sum of the exponentials runs over two lanes (even and
// odd columns), combined at the end, in both builds.
double softmaxRow(float* x, std::size_t n, std::size_t positive, float tau, float scale, double* e,
                  float* w) {
  std::size_t b = 0;
  float maxLogit = -std::numeric_limits<float>::infinity();
#ifdef __wasm_simd128__
  const v128_t vtau = wasm_f32x4_splat(tau);
  v128_t vmax = wasm_f32x4_splat(maxLogit);
  for (; b + 4 <= n; b += 4) {
    const v128_t v = wasm_f32x4_div(wasm_v128_load(x + b), vtau);
    wasm_v128_store(x + b, v);
    vmax = wasm_f32x4_pmax(vmax, v);  // as std::max: a NaN never replaces the maximum
  }
  float lanes[4];
  wasm_v128_store(lanes, vmax);
  for (float lane : lanes) maxLogit = std::max(maxLogit, lane);
#endif
  for (; b < n; ++b) {
    x[b] /= tau;
    maxLogit = std::max(maxLogit, x[b]);
  }
  const auto max = static_cast<double>(maxLogit);
  double s0 = 0.0, s1 = 0.0;
  b = 0;
#ifdef __wasm_simd128__
  const v128_t vmaxd = wasm_f64x2_splat(max);
  v128_t sums = wasm_f64x2_splat(0.0);
  for (; b + 2 <= n; b += 2) {
    const v128_t xd = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(x + b));
    const v128_t v = detmath::expShortX2(wasm_f64x2_sub(xd, vmaxd));
    wasm_v128_store(e + b, v);
    sums = wasm_f64x2_add(sums, v);
  }
  s0 = wasm_f64x2_extract_lane(sums, 0);
  s1 = wasm_f64x2_extract_lane(sums, 1);
#endif
  for (; b < n; ++b) {
    e[b] = detmath::expShort(static_cast<double>(x[b]) - max);
    (b % 2 == 0 ? s0 : s1) += e[b];
  }
  const double sum = s0 + s1;
  b = 0;
#ifdef __wasm_simd128__
  const v128_t vsum = wasm_f64x2_splat(sum);
  const v128_t vscale = wasm_f32x4_splat(scale);
  for (; b + 4 <= n; b += 4) {
    const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(wasm_v128_load(e + b), vsum));
    const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(wasm_v128_load(e + b + 2), vsum));
    const v128_t p = wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5);
    wasm_v128_store(w + b, wasm_f32x4_div(wasm_f32x4_mul(p, vscale), vtau));
  }
#endif
  for (; b < n; ++b) w[b] = static_cast<float>(e[b] / sum) * scale / tau;
  w[positive] = static_cast<float>(e[positive] / sum - 1.0) * scale / tau;
  return detmath::log(sum) + max - static_cast<double>(x[positive]);
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
  // The logits are a batch x batch matrix of dot products and the gradients two products of
  // it with the batch's vectors: done as matrix products over blocks of rows, so that each
  // vector loaded serves several outputs.
  const std::int32_t d = stride_;
  const auto count = static_cast<std::int32_t>(n);
  const std::int32_t width = kernels::paddedWidth(count);  // logit rows padded to whole lanes
  const auto sd = static_cast<std::size_t>(d);
  const auto sw = static_cast<std::size_t>(width);
  std::vector<float>& uu = softmax_.users;
  std::vector<float>& iu = softmax_.items;
  std::vector<float>& itemsT = softmax_.itemsTransposed;
  uu.resize(n * sd);
  iu.resize(n * sd);
  itemsT.assign(sd * sw, 0.0f);
  for (std::size_t j = 0; j < n; ++j) {
    const float* u = unit(kUsers, slots[j]);
    const float* v = unit(kItems, slots[n + j]);
    std::copy(u, u + d, &uu[j * sd]);
    std::copy(v, v + d, &iu[j * sd]);
    for (std::size_t c = 0; c < sd; ++c) itemsT[c * sw + j] = v[c];
  }
  std::vector<float>& logits = softmax_.logits;
  std::vector<float>& weights = softmax_.weights;
  std::vector<float>& userGrad = softmax_.userGradients;
  std::vector<float>& itemGrad = softmax_.itemGradients;
  std::vector<double>& e = softmax_.row;
  logits.resize(kSoftmaxBlock * sw);
  weights.assign(kSoftmaxBlock * sw, 0.0f);  // the padding columns stay zero
  userGrad.resize(kSoftmaxBlock * sd);
  itemGrad.assign(n * sd, 0.0f);
  e.resize(n);
  // The batch's examples ordered by item: each example's copies of its item are a run.
  std::vector<std::size_t>& byItem = softmax_.byItem;
  std::vector<std::size_t>& sameItemBegin = softmax_.sameItemBegin;
  std::vector<std::size_t>& sameItemCount = softmax_.sameItemCount;
  byItem.resize(n);
  sameItemBegin.resize(n);
  sameItemCount.resize(n);
  for (std::size_t j = 0; j < n; ++j) byItem[j] = j;
  std::sort(byItem.begin(), byItem.end(), [&](std::size_t x, std::size_t y) {
    return items[x] != items[y] ? items[x] < items[y] : x < y;
  });
  for (std::size_t g = 0; g < n;) {
    std::size_t end = g + 1;
    while (end < n && items[byItem[end]] == items[byItem[g]]) ++end;
    for (std::size_t h = g; h < end; ++h) {
      sameItemBegin[byItem[h]] = g;
      sameItemCount[byItem[h]] = end - g;
    }
    g = end;
  }
  const auto tau = static_cast<float>(config_.temperature);
  const float inverseN = 1.0f / static_cast<float>(n);
  double lossSum = 0.0;
  for (std::size_t a0 = 0; a0 < n; a0 += kSoftmaxBlock) {
    const std::size_t rows = std::min(kSoftmaxBlock, n - a0);
    const auto blockRows = static_cast<std::int32_t>(rows);
    kernels::matmul(&uu[a0 * sd], d, itemsT.data(), width, logits.data(), width, blockRows, d,
                    width, false);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t a = a0 + r;
      float* x = &logits[r * sw];
      // Copies of the row's own item are not negatives.
      for (std::size_t g = sameItemBegin[a]; g < sameItemBegin[a] + sameItemCount[a]; ++g) {
        if (byItem[g] != a) x[byItem[g]] = -std::numeric_limits<float>::infinity();
      }
      lossSum += softmaxRow(x, n, a, tau, inverseN, e.data(), &weights[r * sw]);
    }
    // Row a's user gets sum_b w[a][b] item[b]; item b gets sum_a w[a][b] user[a].
    kernels::matmul(weights.data(), width, iu.data(), d, userGrad.data(), d, blockRows, count, d,
                    false);
    kernels::matmul<true>(weights.data(), width, &uu[a0 * sd], d, itemGrad.data(), d, count,
                          blockRows, d, true);
    for (std::size_t r = 0; r < rows; ++r) {
      kernels::axpy(1.0f, &userGrad[r * sd], ut.gradient(slots[a0 + r]), d);
    }
  }
  for (std::size_t b = 0; b < n; ++b) {
    kernels::axpy(1.0f, &itemGrad[b * sd], it.gradient(slots[n + b]), d);
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
