#include "recwasm/models/mf.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "learned_streams.h"
#include "recwasm/cold.h"
#include "recwasm/det_math.h"
#include "recwasm/error.h"

namespace recwasm {

namespace {

// Solves A x = b for a symmetric positive definite A (n x n, row-major) by Cholesky, in plain
// loops so that every build gives the same bits.
std::vector<double> solveSpd(std::vector<double> a, std::vector<double> b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    const double ljj = std::sqrt(d);
    a[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // L^T x = y
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return b;
}

}  // namespace

// ---- MfTrainer ----------------------------------------------------------------------------

RECWASM_COLD MfTrainer::MfTrainer(const MfConfig& config, std::shared_ptr<const Interactions> data)
    : EpochRun("mf", config.training),
      config_(config),
      data_(std::move(data)),
      optimizer_(config.training,
                 config.training.resolveUpdates(static_cast<std::int64_t>(data_->numUsers()) +
                                                data_->numItems())),
      shuffleRng_(config.training.seed, streams::kShuffle),
      negativeRng_(config.training.seed, streams::kNegatives),
      // Only dense steps report the L2 term of every variable (see trainBatch).
      trackNorm_(config.training.l2 > 0 && optimizer_.mode() == UpdateMode::kDense),
      popularity_(*data_) {
  const Interactions& d = *data_;
  require(d.numRows() > 0, "mf needs at least one training row");
  const bool implicit = config_.objective == MfObjective::kImplicit;
  require(!implicit || d.numItems() >= 2,
          "mf with objective 'implicit' needs at least 2 items to draw negatives from");

  // Examples: every row ("rating"), or every distinct pair ("implicit").
  std::vector<std::int32_t> users, items;
  std::vector<float> targets;
  if (implicit) {
    UserItemPairs pairs = distinctPairs(d);
    users = std::move(pairs.users);
    items = std::move(pairs.items);
    targets.assign(users.size(), 1.0f);
  } else {
    users = d.userOfRow();
    items = d.itemOfRow();
    for (double v : d.values()) targets.push_back(static_cast<float>(v));
  }
  Random validationRng(config_.training.seed, streams::kValidation);
  std::vector<std::uint8_t> held =
      chooseValidationRows(users.size(), config_.training.validationFraction, validationRng);
  for (std::size_t r = 0; r < users.size(); ++r) {
    auto& u = held[r] ? validUsers_ : trainUsers_;
    auto& i = held[r] ? validItems_ : trainItems_;
    auto& t = held[r] ? validTargets_ : trainTargets_;
    u.push_back(users[r]);
    i.push_back(items[r]);
    t.push_back(targets[r]);
    if (held[r] && implicit) {  // fixed negatives, so that the validation loss is comparable
      for (int k = 0; k < config_.negatives; ++k) {
        std::uint32_t n;
        do n = validationRng.below(static_cast<std::uint32_t>(d.numItems()));
        while (static_cast<std::int32_t>(n) == items[r]);
        validUsers_.push_back(users[r]);
        validItems_.push_back(static_cast<std::int32_t>(n));
        validTargets_.push_back(0.0f);
      }
    }
  }

  // Initialisation, as Keras' Embedding layers draw it: uniform(-0.05, 0.05).
  Random init(config_.training.seed, streams::kInit);
  const auto scale = static_cast<float>(config_.training.initScale);
  const std::int32_t bias = biasColumn();
  FloatMatrix userRows(d.numUsers(), bias + 1), itemRows(d.numItems(), bias + 1), mu(1, 1);
  for (FloatMatrix* table : {&userRows, &itemRows}) {
    for (std::int32_t r = 0; r < table->rows(); ++r) {
      float* w = table->row(r);
      for (std::int32_t c = 0; c < config_.factors; ++c) w[c] = init.uniform(-scale, scale);
      w[bias] = init.uniform(-scale, scale);
    }
  }
  if (!implicit) {
    double sum = 0.0;
    for (float t : trainTargets_) sum += t;
    mu.row(0)[0] = static_cast<float>(sum / static_cast<double>(trainTargets_.size()));
  }
  const OptimizerKind kind = config_.training.optimizer;
  const std::int32_t batch = config_.training.batchSize;
  tables_[kUsers] = TrainableTable(userRows, kind, std::min(batch, d.numUsers()));
  tables_[kItems] = TrainableTable(itemRows, kind, std::min(batch, d.numItems()));
  tables_[kMu] = TrainableTable(mu, kind, 1);

  const std::size_t perPositive = implicit ? 1 + static_cast<std::size_t>(config_.negatives) : 1;
  epochUsers_.reserve(trainUsers_.size() * perPositive);
  epochItems_.reserve(trainUsers_.size() * perPositive);
  epochTargets_.reserve(trainUsers_.size() * perPositive);
  setExamplesPerEpoch(trainUsers_.size() * perPositive);
}

void MfTrainer::beginEpoch(int) {
  if (trackNorm_) {
    for (TrainableTable& t : tables_) t.recomputeNorm();  // drops the drift of lazy tracking
  }
  epochUsers_.clear();
  epochItems_.clear();
  epochTargets_.clear();
  const std::int32_t numItems = data_->numItems();
  if (config_.objective != MfObjective::kImplicit) {
    epochUsers_.assign(trainUsers_.begin(), trainUsers_.end());
    epochItems_.assign(trainItems_.begin(), trainItems_.end());
    epochTargets_.assign(trainTargets_.begin(), trainTargets_.end());
  }
  for (std::size_t r = 0; config_.objective == MfObjective::kImplicit && r < trainUsers_.size();
       ++r) {
    epochUsers_.push_back(trainUsers_[r]);
    epochItems_.push_back(trainItems_[r]);
    epochTargets_.push_back(trainTargets_[r]);
    for (int k = 0; k < config_.negatives; ++k) {
      std::uint32_t n;
      do n = negativeRng_.below(static_cast<std::uint32_t>(numItems));
      while (static_cast<std::int32_t>(n) == trainItems_[r]);
      epochUsers_.push_back(trainUsers_[r]);
      epochItems_.push_back(static_cast<std::int32_t>(n));
      epochTargets_.push_back(0.0f);
    }
  }
  // tf.data's shuffle with a buffer of the whole set: Fisher-Yates, the same swaps applied to
  // the three columns in place.
  for (std::size_t i = epochUsers_.size(); i > 1; --i) {
    const std::size_t j = shuffleRng_.below(static_cast<std::uint32_t>(i));
    std::swap(epochUsers_[i - 1], epochUsers_[j]);
    std::swap(epochItems_[i - 1], epochItems_[j]);
    std::swap(epochTargets_[i - 1], epochTargets_[j]);
  }
}

template <bool kImplicit>
double MfTrainer::batchGradient(const std::int32_t* users, const std::int32_t* items,
                                const float* targets, std::size_t n) {
  TrainableTable& ut = tables_[kUsers];
  TrainableTable& it = tables_[kItems];
  TrainableTable& mut = tables_[kMu];
  const std::int32_t lanes = biasColumn();  // the dot product stops before the bias
  const float mu = mut.values().row(0)[0];
  float* muGrad = mut.gradient(mut.slot(0));
  // d(mean loss)/d(score): 2 e / n for the squared error, (sigmoid(x) - z) / n for BCE.
  const float scale = (kImplicit ? 1.0f : 2.0f) / static_cast<float>(n);
  // Slots first (a row's first example in the batch writes its gradient, later ones add).
  slotOfUser_.resize(n);
  slotOfItem_.resize(n);
  firstOfUser_.resize(n);
  firstOfItem_.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    bool fresh;
    slotOfUser_[j] = ut.claimSlot(users[j], fresh);
    firstOfUser_[j] = fresh;
    slotOfItem_[j] = it.claimSlot(items[j], fresh);
    firstOfItem_[j] = fresh;
  }
  double lossSum = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const float* p = ut.row(users[j]);
    const float* q = it.row(items[j]);
    const float x = ((mu + p[lanes]) + q[lanes]) + kernels::dot(p, q, lanes);
    float d;
    if constexpr (kImplicit) {
      const detmath::Logistic l = detmath::logistic(x, targets[j]);
      lossSum += l.loss;
      d = static_cast<float>(l.probability - targets[j]) * scale;
    } else {
      const float e = x - targets[j];
      lossSum += static_cast<double>(e) * e;
      d = e * scale;
    }
    // Gradient rows: factors, then the bias, then padding that stays zero.
    float* gu = ut.gradient(slotOfUser_[j]);
    float* gi = it.gradient(slotOfItem_[j]);
    if (firstOfUser_[j]) {
      kernels::scale(d, q, gu, lanes);
      gu[lanes] = d;
    } else {
      kernels::axpy(d, q, gu, lanes);
      gu[lanes] += d;
    }
    if (firstOfItem_[j]) {
      kernels::scale(d, p, gi, lanes);
      gi[lanes] = d;
    } else {
      kernels::axpy(d, p, gi, lanes);
      gi[lanes] += d;
    }
    muGrad[0] += d;
  }
  return lossSum / static_cast<double>(n);
}

double MfTrainer::touchedL2Term() const {
  if (config_.training.l2 <= 0) return 0.0;
  double sum = 0.0;
  for (const TrainableTable& t : tables_) sum += t.touchedHalfSquaredNorm();
  return static_cast<double>(optimizer_.l2()) * sum;
}

double MfTrainer::l2Term() const {
  if (!trackNorm_) return 0.0;
  double sum = 0.0;
  for (const TrainableTable& t : tables_) sum += t.halfSquaredNorm();
  return static_cast<double>(optimizer_.l2()) * sum;
}

// trainBatch() for one example under lazy SGD, without the batch machinery (slots, touched-row
// lists, gradient rows per example), doing the same float and double operations in the same
// order: batchGradient, then touchedL2Term over the three rows, then their steps.
template <bool kImplicit>
double MfTrainer::sgdStep(std::size_t example) {
  TrainableTable& ut = tables_[kUsers];
  TrainableTable& it = tables_[kItems];
  TrainableTable& mut = tables_[kMu];
  const std::int32_t user = epochUsers_[example];
  const std::int32_t item = epochItems_[example];
  const float target = epochTargets_[example];
  const std::int32_t lanes = biasColumn();
  const float* p = ut.row(user);
  const float* q = it.row(item);
  const float* mu = mut.row(0);
  const float x = ((mu[0] + p[lanes]) + q[lanes]) + kernels::dot(p, q, lanes);
  double loss = 0.0;
  float d;
  if constexpr (kImplicit) {
    const detmath::Logistic l = detmath::logistic(x, target);
    loss += l.loss;
    d = static_cast<float>(l.probability - target) * 1.0f;
  } else {
    const float e = x - target;
    loss += static_cast<double>(e) * e;
    d = e * 2.0f;
  }
  if (config_.training.l2 > 0) {
    double sum = 0.0;
    sum += (0.0 + kernels::dot(p, p, ut.stride())) / 2;
    sum += (0.0 + kernels::dot(q, q, it.stride())) / 2;
    sum += (0.0 + kernels::dot(mu, mu, mut.stride())) / 2;
    loss += static_cast<double>(optimizer_.l2()) * sum;
  }
  // Both gradients from the values before either step; padding lanes stay zero.
  float* gu = ut.gradient(0);
  float* gi = it.gradient(0);
  float* gm = mut.gradient(0);
  kernels::scale(d, q, gu, lanes);
  gu[lanes] = d;
  kernels::scale(d, p, gi, lanes);
  gi[lanes] = d;
  kernels::zero(gm, mut.stride());
  gm[0] += d;
  ut.stepRow(optimizer_, user, gu);
  it.stepRow(optimizer_, item, gi);
  mut.stepRow(optimizer_, 0, gm);
  return loss;
}

double MfTrainer::trainBatch(std::size_t begin, std::size_t end) {
  optimizer_.beginStep();
  const std::size_t n = end - begin;
  if (n == 1 && config_.fusedSgdSteps && optimizer_.kind() == OptimizerKind::kSgd &&
      optimizer_.mode() == UpdateMode::kLazy) {
    ++fusedSteps_;
    return config_.objective == MfObjective::kImplicit ? sgdStep<true>(begin)
                                                       : sgdStep<false>(begin);
  }
  double loss =
      config_.objective == MfObjective::kImplicit
          ? batchGradient<true>(&epochUsers_[begin], &epochItems_[begin], &epochTargets_[begin], n)
          : batchGradient<false>(&epochUsers_[begin], &epochItems_[begin], &epochTargets_[begin],
                                 n);
  // The L2 term of the parameters the batch saw, as the notebook writes it: over every variable
  // when every variable steps (dense); over the rows the batch touched when only those step
  // (lazy), since that is the term whose gradient the step follows. (Reporting every row's
  // norm under lazy steps makes the loss rise as rarely seen rows, regularised only when seen,
  // grow: with per-rating SGD and l2 0.02 on ml-latest-small it swamped the data term.)
  loss += optimizer_.mode() == UpdateMode::kLazy ? touchedL2Term() : l2Term();
  for (TrainableTable& t : tables_) t.applyStep(optimizer_, trackNorm_);
  return loss;
}

float MfTrainer::predict(std::int32_t u, std::int32_t i) const {
  const std::int32_t lanes = biasColumn();
  const float* p = tables_[kUsers].values().row(u);
  const float* q = tables_[kItems].values().row(i);
  return ((tables_[kMu].values().row(0)[0] + p[lanes]) + q[lanes]) + kernels::dot(p, q, lanes);
}

double MfTrainer::validationLoss() {
  if (validUsers_.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (std::size_t j = 0; j < validUsers_.size(); ++j) {
    const float x = predict(validUsers_[j], validItems_[j]);
    if (config_.objective == MfObjective::kImplicit) {
      sum += detmath::logistic(x, validTargets_[j]).loss;
    } else {
      const double e = static_cast<double>(x) - validTargets_[j];
      sum += e * e;
    }
  }
  return sum / static_cast<double>(validUsers_.size());
}

void MfTrainer::keepBest() {
  best_.clear();
  for (const TrainableTable& t : tables_) best_.push_back(t.snapshot());
}

void MfTrainer::restoreBest() {
  if (best_.empty()) return;
  for (std::size_t t = 0; t < tables_.size(); ++t) tables_[t].assign(best_[t]);
}

namespace {

// Splits a combined [factors | bias] table into the two parameter tables.
void splitRows(const FloatMatrix& rows, std::int32_t factors, std::int32_t biasColumn,
               FloatMatrix& outFactors, FloatMatrix& outBias) {
  outFactors = FloatMatrix(rows.rows(), factors);
  outBias = FloatMatrix(rows.rows(), 1);
  for (std::int32_t r = 0; r < rows.rows(); ++r) {
    std::copy_n(rows.row(r), factors, outFactors.row(r));
    outBias.row(r)[0] = rows.row(r)[biasColumn];
  }
}

void joinRows(const FloatMatrix& factors, const FloatMatrix& bias, std::int32_t biasColumn,
              TrainableTable& table) {
  require(factors.rows() == table.values().rows() && bias.rows() == table.values().rows() &&
              bias.width() == 1 && factors.width() <= biasColumn,
          "parameter shapes do not match the trainer");
  FloatMatrix rows(factors.rows(), biasColumn + 1);
  for (std::int32_t r = 0; r < rows.rows(); ++r) {
    std::copy_n(factors.row(r), factors.width(), rows.row(r));
    rows.row(r)[biasColumn] = bias.row(r)[0];
  }
  table.assign(rows);
}

}  // namespace

MfParameters MfTrainer::parameters() const {
  MfParameters out;
  splitRows(tables_[kUsers].values(), config_.factors, biasColumn(), out.userFactors, out.userBias);
  splitRows(tables_[kItems].values(), config_.factors, biasColumn(), out.itemFactors, out.itemBias);
  out.mu = tables_[kMu].values().row(0)[0];
  return out;
}

void MfTrainer::setParameters(const MfParameters& p) {
  require(p.userFactors.width() == config_.factors && p.itemFactors.width() == config_.factors,
          "parameter shapes do not match the trainer");
  joinRows(p.userFactors, p.userBias, biasColumn(), tables_[kUsers]);
  joinRows(p.itemFactors, p.itemBias, biasColumn(), tables_[kItems]);
  tables_[kMu].row(0)[0] = p.mu;
}

double MfTrainer::probeGradient(Span<std::int32_t> users, Span<std::int32_t> items,
                                Span<float> targets, MfParameters& gradient) {
  require(users.size() == items.size() && users.size() == targets.size() && !users.empty(),
          "a probe batch needs as many items and targets as users");
  for (std::int32_t u : users) require(u >= 0 && u < data_->numUsers(), "probe user out of range");
  for (std::int32_t i : items) require(i >= 0 && i < data_->numItems(), "probe item out of range");
  double loss =
      config_.objective == MfObjective::kImplicit
          ? batchGradient<true>(users.data(), items.data(), targets.data(), users.size())
          : batchGradient<false>(users.data(), items.data(), targets.data(), users.size());
  double norm = 0.0;
  for (const TrainableTable& t : tables_) norm += t.values().halfSquaredNorm();
  loss += static_cast<double>(optimizer_.l2()) * norm;
  // Every variable's gradient = the batch's (where touched) + l2 w.
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
  splitRows(dense(tables_[kUsers]), config_.factors, biasColumn(), gradient.userFactors,
            gradient.userBias);
  splitRows(dense(tables_[kItems]), config_.factors, biasColumn(), gradient.itemFactors,
            gradient.itemBias);
  gradient.mu = dense(tables_[kMu]).row(0)[0];
  return loss;
}

MfParameters MfTrainer::takeParameters() { return parameters(); }

// ---- Mf -----------------------------------------------------------------------------------

RECWASM_COLD MfConfig Mf::parseOptions(const OptionMap& options, OptionMap* resolved) {
  OptionReader reader(options, "mf");
  MfConfig c;
  c.factors = reader.integer("factors", 32, 1, 4096);
  c.objective = reader.choice("objective", "rating", {"rating", "implicit"}) == "rating"
                    ? MfObjective::kRating
                    : MfObjective::kImplicit;
  c.negatives = reader.integer("negatives", 3, 1, 1000);
  c.foldInL2 = reader.number("foldInL2", 1.0, 0, 1e9);
  require(c.foldInL2 > 0, "mf option 'foldInL2' must be positive");
  c.training = TrainingOptions::read(reader, 1e-5);
  reader.finish();
  if (resolved) *resolved = reader.resolved();
  return c;
}

Mf::Mf(const OptionMap& options)
    : Recommender("mf",
                  [&] {
                    OptionMap resolved;
                    parseOptions(options, &resolved);
                    return resolved;
                  }()),
      config_(parseOptions(options, nullptr)) {}

std::unique_ptr<Recommender::TrainingRun> Mf::startTraining(const Dataset& data) {
  return std::make_unique<MfTrainer>(config_, data.interactions);
}

void Mf::adopt(TrainingRun& run) {
  auto& trainer = static_cast<MfTrainer&>(run);
  params_ = trainer.takeParameters();
  popularity_ = std::move(trainer.popularity());
  itemUnits_ = unitRows(params_.itemFactors);
}

bool Mf::foldIn(const UserContext& user, std::vector<float>& factors, float& bias) const {
  const std::int32_t k = params_.itemFactors.width();
  factors.assign(static_cast<std::size_t>(params_.itemFactors.stride()), 0.0f);
  bias = 0.0f;
  if (user.items.empty()) return false;
  if (config_.objective == MfObjective::kImplicit) {
    // No ratings to fit: the user is the mean of the items they chose.
    std::vector<double> sum(static_cast<std::size_t>(k), 0.0);
    for (std::int32_t item : user.items) {
      const float* q = params_.itemFactors.row(item);
      for (std::int32_t c = 0; c < k; ++c) sum[static_cast<std::size_t>(c)] += q[c];
    }
    for (std::int32_t c = 0; c < k; ++c) {
      factors[static_cast<std::size_t>(c)] =
          static_cast<float>(sum[static_cast<std::size_t>(c)] / user.items.size());
    }
    return true;
  }
  // Ridge regression of (r - mu - b_i) on [q_i, 1] over the history, item side fixed.
  const auto n = static_cast<std::size_t>(k) + 1;
  std::vector<double> a(n * n, 0.0), b(n, 0.0), f(n, 1.0);
  for (std::size_t h = 0; h < user.items.size(); ++h) {
    const std::int32_t item = user.items[h];
    const float* q = params_.itemFactors.row(item);
    for (std::int32_t c = 0; c < k; ++c) f[static_cast<std::size_t>(c)] = q[c];
    const double target = user.values[h] - static_cast<double>(params_.mu) -
                          static_cast<double>(params_.itemBias.row(item)[0]);
    for (std::size_t r = 0; r < n; ++r) {
      b[r] += f[r] * target;
      for (std::size_t c = 0; c <= r; ++c) a[r * n + c] += f[r] * f[c];
    }
  }
  for (std::size_t r = 0; r < n; ++r) {
    a[r * n + r] += config_.foldInL2;
    for (std::size_t c = 0; c < r; ++c) a[c * n + r] = a[r * n + c];
  }
  std::vector<double> x = solveSpd(std::move(a), std::move(b), n);
  for (std::int32_t c = 0; c < k; ++c) {
    factors[static_cast<std::size_t>(c)] = static_cast<float>(x[static_cast<std::size_t>(c)]);
  }
  bias = static_cast<float>(x[static_cast<std::size_t>(k)]);
  return true;
}

void Mf::scoreInto(const UserContext& user, double* scores) const {
  std::vector<float> folded;
  const float* p = nullptr;
  float bu = 0.0f;
  if (user.foldedIn) {
    if (!foldIn(user, folded, bu)) {  // nothing to fold in: the popularity fallback
      const std::vector<double>& counts = popularity_.counts();
      for (std::size_t i = 0; i < counts.size(); ++i) {
        scores[i] = counts[i] > 0 ? counts[i] : -std::numeric_limits<double>::infinity();
      }
      return;
    }
    p = folded.data();
  } else {
    p = params_.userFactors.row(user.user);
    bu = params_.userBias.row(user.user)[0];
  }
  const std::int32_t stride = params_.itemFactors.stride();
  for (std::int32_t i = 0; i < params_.itemFactors.rows(); ++i) {
    const float x = ((params_.mu + bu) + params_.itemBias.row(i)[0]) +
                    kernels::dot(p, params_.itemFactors.row(i), stride);
    scores[i] = x;
  }
}

void Mf::similarItemsInto(std::int32_t item, int k, Recommendations& out) const {
  nearestRows(itemUnits_, item, k, out);
}

RECWASM_COLD std::vector<Contribution> Mf::explainItem(const UserContext& user, std::int32_t item,
                                                       int topN) const {
  return nearestHistoryItems(itemUnits_, user.items, item, topN);
}

RECWASM_COLD void Mf::saveState(SnapshotWriter& out) const {
  out.pod<std::uint32_t>(1);  // layout of this model's state
  params_.userFactors.save(out);
  params_.itemFactors.save(out);
  params_.userBias.save(out);
  params_.itemBias.save(out);
  out.pod<float>(params_.mu);
}

RECWASM_COLD void Mf::loadState(SnapshotReader& in) {
  if (in.pod<std::uint32_t>() != 1) SnapshotReader::corrupt("unknown mf state layout");
  const Interactions& train = trainingData();
  MfParameters p;
  p.userFactors = FloatMatrix::load(in, train.numUsers(), config_.factors);
  p.itemFactors = FloatMatrix::load(in, train.numItems(), config_.factors);
  p.userBias = FloatMatrix::load(in, train.numUsers(), 1);
  p.itemBias = FloatMatrix::load(in, train.numItems(), 1);
  p.mu = in.pod<float>();
  if (!(std::fabs(p.mu) <= kMaxParameterMagnitude)) {
    SnapshotReader::corrupt("mf global mean is not finite or out of range");
  }
  params_ = std::move(p);
  itemUnits_ = unitRows(params_.itemFactors);
  popularity_ = PopularityRanking(train);
}

}  // namespace recwasm
