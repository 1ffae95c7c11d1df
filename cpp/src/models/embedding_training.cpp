#include "recwasm/models/embedding_training.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "recwasm/clock.h"
#include "recwasm/cold.h"
#include "recwasm/error.h"
#include "recwasm/top_k.h"

namespace recwasm {

// ---- FloatMatrix --------------------------------------------------------------------------

FloatMatrix::FloatMatrix(std::int32_t rows, std::int32_t width, std::int32_t pitch)
    : rows_(rows),
      width_(width),
      stride_(kernels::paddedWidth(width)),
      pitch_(std::max(pitch, stride_)),
      data_(static_cast<std::size_t>(rows) * static_cast<std::size_t>(pitch_), 0.0f) {}

FloatMatrix FloatMatrix::compact() const {
  FloatMatrix out(rows_, width_);
  out.assignValues(*this);
  return out;
}

void FloatMatrix::assignValues(const FloatMatrix& other) {
  require(other.rows_ == rows_ && other.width_ == width_, "parameter shapes do not match");
  for (std::int32_t r = 0; r < rows_; ++r) std::copy_n(other.row(r), stride_, row(r));
}

void FloatMatrix::fillUniform(Random& rng, float lo, float hi) {
  for (std::int32_t r = 0; r < rows_; ++r) {
    float* w = row(r);
    for (std::int32_t i = 0; i < width_; ++i) w[i] = rng.uniform(lo, hi);
  }
}

double FloatMatrix::halfSquaredNorm() const {
  double sum = 0.0;
  for (std::int32_t r = 0; r < rows_; ++r) sum += kernels::dot(row(r), row(r), stride_);
  return sum / 2;
}

bool FloatMatrix::allWithinRange() const {
  for (std::int32_t r = 0; r < rows_; ++r) {
    for (std::int32_t i = 0; i < width_; ++i) {
      if (!(std::fabs(row(r)[i]) <= kMaxParameterMagnitude)) return false;  // NaN fails too
    }
  }
  return true;
}

RECWASM_COLD void FloatMatrix::save(SnapshotWriter& out) const {
  out.pod<std::int32_t>(rows_);
  out.pod<std::int32_t>(width_);
  std::vector<float> packed;
  packed.reserve(static_cast<std::size_t>(rows_) * static_cast<std::size_t>(width_));
  for (std::int32_t r = 0; r < rows_; ++r) packed.insert(packed.end(), row(r), row(r) + width_);
  out.vector(packed);
}

RECWASM_COLD FloatMatrix FloatMatrix::load(SnapshotReader& in, std::int32_t rows,
                                           std::int32_t width) {
  auto savedRows = in.pod<std::int32_t>();
  auto savedWidth = in.pod<std::int32_t>();
  if (savedRows != rows || savedWidth != width) {
    SnapshotReader::corrupt("parameter table of " + std::to_string(savedRows) + " x " +
                            std::to_string(savedWidth) + " where " + std::to_string(rows) + " x " +
                            std::to_string(width) + " was expected");
  }
  std::vector<float> packed = in.vector<float>();
  if (packed.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(width)) {
    SnapshotReader::corrupt("parameter table has the wrong number of values");
  }
  FloatMatrix m(rows, width);
  for (std::int32_t r = 0; r < rows; ++r) {
    std::copy_n(packed.data() + static_cast<std::size_t>(r) * width, width, m.row(r));
  }
  if (!m.allWithinRange()) {
    SnapshotReader::corrupt("parameter table holds NaN, infinite or out-of-range values");
  }
  return m;
}

// ---- options ------------------------------------------------------------------------------

std::uint32_t readSeed(OptionReader& reader) {
  double seed = reader.number("seed", 42, 0, 4294967295.0);
  require(seed == std::floor(seed), "option 'seed' must be an integer");
  return static_cast<std::uint32_t>(seed);
}

RECWASM_COLD TrainingOptions TrainingOptions::read(OptionReader& reader, double defaultL2) {
  TrainingOptions o;
  o.epochs = reader.integer("epochs", 10, 1, 1000000);
  o.batchSize = reader.integer("batchSize", 256, 1, 1 << 20);
  o.learningRate = reader.number("learningRate", 0.01, 0, 1e6);
  require(o.learningRate > 0, "option 'learningRate' must be positive");
  o.optimizer = reader.choice("optimizer", "adam", {"adam", "sgd"}) == "adam" ? OptimizerKind::kAdam
                                                                              : OptimizerKind::kSgd;
  o.beta1 = reader.number("beta1", 0.9, 0, 1);
  o.beta2 = reader.number("beta2", 0.999, 0, 1);
  require(o.beta1 < 1 && o.beta2 < 1, "options 'beta1' and 'beta2' must be below 1");
  o.epsilon = reader.number("epsilon", 1e-7, 0, 1);
  // A zero epsilon would divide 0 by 0 wherever an Adam second moment is still zero.
  require(o.epsilon > 0, "option 'epsilon' must be positive");
  o.l2 = reader.number("l2", defaultL2, 0, 1e6);
  o.updates = reader.choice("updates", "auto", {"auto", "dense", "lazy"});
  o.seed = readSeed(reader);
  o.validationFraction = reader.number("validationFraction", 0, 0, 0.9);
  o.patience = reader.integer("patience", 0, 0, 1000000);
  o.initScale = reader.number("initScale", 0.05, 0, 1e3);
  return o;
}

UpdateMode TrainingOptions::resolveUpdates(std::int64_t tableRows) const {
  if (updates == "dense") return UpdateMode::kDense;
  if (updates == "lazy") return UpdateMode::kLazy;
  return tableRows <= 4 * static_cast<std::int64_t>(batchSize) ? UpdateMode::kDense
                                                               : UpdateMode::kLazy;
}

// ---- Optimizer ----------------------------------------------------------------------------

Optimizer::Optimizer(const TrainingOptions& options, UpdateMode mode)
    : kind_(options.optimizer),
      mode_(mode),
      beta1_(options.beta1),
      beta2_(options.beta2),
      learningRate_(static_cast<float>(options.learningRate)) {
  adam_.oneMinusBeta1 = static_cast<float>(1.0 - options.beta1);
  adam_.oneMinusBeta2 = static_cast<float>(1.0 - options.beta2);
  adam_.epsilon = static_cast<float>(options.epsilon);
  adam_.l2 = static_cast<float>(options.l2);
}

void Optimizer::beginStep() {
  ++steps_;
  if (kind_ != OptimizerKind::kAdam) return;  // per-rating SGD steps millions of times
  // Powers by repeated multiplication (no pow: its last bit differs between libms).
  beta1Power_ *= beta1_;
  beta2Power_ *= beta2_;
  adam_.alpha = static_cast<float>(static_cast<double>(learningRate_) *
                                   std::sqrt(1.0 - beta2Power_) / (1.0 - beta1Power_));
}

// ---- TrainableTable -----------------------------------------------------------------------

TrainableTable::TrainableTable(const FloatMatrix& initial, OptimizerKind optimizer,
                               std::int32_t maxSlots)
    : values_(initial.rows(), initial.width(),
              (optimizer == OptimizerKind::kAdam ? 3 : 1) * initial.stride()),
      gradients_(static_cast<std::size_t>(maxSlots) * static_cast<std::size_t>(initial.stride())),
      slotOfRow_(static_cast<std::size_t>(initial.rows()), -1) {
  values_.assignValues(initial);
  touched_.reserve(static_cast<std::size_t>(maxSlots));
}

float TrainableTable::updateRow(const Optimizer& optimizer, std::int32_t row, const float* grad,
                                bool track) {
  float* w = values_.row(row);
  const std::int32_t n = stride();
  if (optimizer.kind() == OptimizerKind::kAdam) {
    return kernels::adam(w, w + n, w + 2 * n, grad, n, optimizer.adamStep(), track);
  }
  return kernels::sgd(w, grad, n, optimizer.learningRate(), optimizer.l2(), track);
}

void TrainableTable::applyStep(const Optimizer& optimizer, bool trackNorm) {
  double delta = 0.0;
  if (optimizer.mode() == UpdateMode::kDense) {
    for (std::int32_t r = 0; r < values_.rows(); ++r) {
      const std::int32_t s = slotOfRow_[static_cast<std::size_t>(r)];
      delta += updateRow(optimizer, r, s >= 0 ? gradient(s) : nullptr, trackNorm);
    }
  } else {
    for (std::int32_t r : touched_) {
      delta +=
          updateRow(optimizer, r, gradient(slotOfRow_[static_cast<std::size_t>(r)]), trackNorm);
    }
  }
  halfNorm_ += delta / 2;
  discardGradients();
}

double TrainableTable::touchedHalfSquaredNorm() const {
  // Rows in float (the padding is zero), summed over rows in double.
  double sum = 0.0;
  for (std::int32_t r : touched_) sum += kernels::dot(values_.row(r), values_.row(r), stride());
  return sum / 2;
}

void TrainableTable::discardGradients() {
  for (std::int32_t r : touched_) slotOfRow_[static_cast<std::size_t>(r)] = -1;
  touched_.clear();
}

// ---- EpochRun -----------------------------------------------------------------------------

EpochRun::EpochRun(std::string kind, const TrainingOptions& options)
    : kind_(std::move(kind)), options_(options) {}

void EpochRun::setExamplesPerEpoch(std::size_t examples) {
  examples_ = examples;
  const auto batch = static_cast<std::size_t>(options_.batchSize);
  batches_ = (examples + batch - 1) / batch;
}

FitProgress EpochRun::advance(int maxBatches) {
  FitProgress progress;
  progress.epochs = options_.epochs;
  double sliceStart = monotonicSeconds();
  auto elapsedSince = [](double t) { return monotonicSeconds() - t; };
  // A slice ends early at an epoch's end, so that every epoch's figures reach the caller.
  for (int done = 0; done < maxBatches && !finished_ && !progress.epochEnded; ++done) {
    if (batch_ == 0) {
      beginEpoch(epoch_);
      lossSum_ = 0.0;
      epochSeconds_ = 0.0;
    }
    const std::size_t begin = batch_ * static_cast<std::size_t>(options_.batchSize);
    const std::size_t end =
        std::min(examples_, begin + static_cast<std::size_t>(options_.batchSize));
    const double loss = trainBatch(begin, end);
    if (!std::isfinite(loss)) {
      fail(ErrorCode::kTrainingDiverged,
           kind_ + " training diverged in epoch " + std::to_string(epoch_ + 1) +
               " (the loss became " + (std::isnan(loss) ? "NaN" : "infinite") +
               "); lower the learning rate. The model keeps its previous state");
    }
    lossSum_ += loss;
    if (++batch_ < batches_) continue;

    // The epoch is complete.
    epochSeconds_ += elapsedSince(sliceStart);
    sliceStart = monotonicSeconds();
    batch_ = 0;
    ++epoch_;
    progress.epochEnded = true;
    lastLoss_ = lossSum_ / static_cast<double>(batches_);
    lastRate_ = epochSeconds_ > 0 ? static_cast<double>(examples_) / epochSeconds_ : 0.0;
    lastValidation_ = validationLoss();
    if (options_.validationFraction > 0 && options_.patience > 0) {
      if (std::isnan(lastValidation_) || std::isinf(lastValidation_)) {
        fail(ErrorCode::kTrainingDiverged, kind_ + " training diverged in epoch " +
                                               std::to_string(epoch_) +
                                               " (the validation loss is not finite)");
      }
      if (lastValidation_ < bestValidation_) {
        bestValidation_ = lastValidation_;
        epochsWithoutImprovement_ = 0;
        keepBest();
      } else if (++epochsWithoutImprovement_ >= options_.patience) {
        restoreBest();
        finished_ = true;
      }
    }
    if (epoch_ == options_.epochs && !finished_) {
      if (options_.validationFraction > 0 && options_.patience > 0 &&
          epochsWithoutImprovement_ > 0) {
        restoreBest();
      }
      finished_ = true;
    }
  }
  epochSeconds_ += elapsedSince(sliceStart);

  progress.done = finished_;
  progress.epoch = epoch_;
  progress.fraction = finished_
                          ? 1.0
                          : (epoch_ + static_cast<double>(batch_) / static_cast<double>(batches_)) /
                                options_.epochs;
  progress.loss = lastLoss_;
  progress.validationLoss = lastValidation_;
  progress.examplesPerSecond = lastRate_;
  return progress;
}

// ---- sampling helpers ---------------------------------------------------------------------

std::vector<std::uint32_t> bufferedShuffleOrder(std::size_t n, std::size_t bufferSize,
                                                Random& rng) {
  std::vector<std::uint32_t> order;
  order.reserve(n);
  if (bufferSize == 0 || bufferSize >= n) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0u);
    rng.shuffle(order.data(), n);
    return order;
  }
  std::vector<std::uint32_t> buffer(bufferSize);
  std::iota(buffer.begin(), buffer.end(), 0u);
  std::size_t next = bufferSize;
  while (!buffer.empty()) {
    const std::uint32_t j = rng.below(static_cast<std::uint32_t>(buffer.size()));
    order.push_back(buffer[j]);
    if (next < n) {
      buffer[j] = static_cast<std::uint32_t>(next++);
    } else {
      buffer[j] = buffer.back();
      buffer.pop_back();
    }
  }
  return order;
}

RECWASM_COLD std::vector<std::uint8_t> chooseValidationRows(std::size_t n, double fraction,
                                                            Random& rng) {
  std::vector<std::uint8_t> flags(n, 0);
  if (fraction <= 0 || n < 2) return flags;
  auto count = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  count = std::min(std::max<std::size_t>(count, 1), n - 1);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  rng.shuffle(order.data(), n);
  for (std::size_t i = 0; i < count; ++i) flags[order[i]] = 1;
  return flags;
}

UserItemPairs distinctPairs(const Interactions& data) {
  UserItemPairs pairs;
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(data.numRows());
  for (std::size_t r = 0; r < data.numRows(); ++r) {
    const std::int32_t u = data.userOfRow()[r];
    const std::int32_t i = data.itemOfRow()[r];
    const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(u)) << 32) |
                              static_cast<std::uint32_t>(i);
    if (!seen.insert(key).second) continue;
    pairs.users.push_back(u);
    pairs.items.push_back(i);
  }
  return pairs;
}

// ---- embedding space ----------------------------------------------------------------------

FloatMatrix unitRows(const FloatMatrix& table) {
  FloatMatrix units(table.rows(), table.width());
  for (std::int32_t r = 0; r < table.rows(); ++r) {
    const float* x = table.row(r);
    const float squared = std::max(kernels::dot(x, x, table.stride()), 1e-12f);
    kernels::scale(1.0f / std::sqrt(squared), x, units.row(r), table.stride());
  }
  return units;
}

void nearestRows(const FloatMatrix& units, std::int32_t item, int k, Recommendations& out) {
  TopK top(static_cast<std::size_t>(k));
  const float* q = units.row(item);
  for (std::int32_t r = 0; r < units.rows(); ++r) {
    if (r == item) continue;
    top.push(kernels::dot(q, units.row(r), units.stride()), r);
  }
  top.drainSorted(out.items, out.scores);
}

std::vector<Contribution> nearestHistoryItems(const FloatMatrix& units, Span<std::int32_t> history,
                                              std::int32_t item, int topN) {
  std::vector<std::int32_t> distinct(history.begin(), history.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  TopK top(static_cast<std::size_t>(topN));
  const float* q = units.row(item);
  for (std::int32_t h : distinct) top.push(kernels::dot(q, units.row(h), units.stride()), h);
  std::vector<std::int32_t> items;
  std::vector<double> weights;
  top.drainSorted(items, weights);
  std::vector<Contribution> out;
  for (std::size_t i = 0; i < items.size(); ++i) out.push_back({items[i], weights[i]});
  return out;
}

}  // namespace recwasm
