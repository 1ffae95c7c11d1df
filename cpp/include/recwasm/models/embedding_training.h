// What the learned models (mf, two_tower) share: padded float tables, Adam/SGD with dense or
// lazy updates, per-batch sparse gradients, the epoch/batch loop behind continueFit (progress,
// divergence, validation, early stopping) and embedding-space similarity.
//
// Public so that tests and tools can drive a trainer batch by batch; applications use the
// models through Recommender.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "recwasm/kernels.h"
#include "recwasm/options.h"
#include "recwasm/random.h"
#include "recwasm/recommender.h"

// Per-example helpers must inline into the batch loops (wasm builds otherwise keep the call).
#if defined(__GNUC__) || defined(__clang__)
#define RECWASM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define RECWASM_ALWAYS_INLINE inline
#endif

namespace recwasm {

/// The largest parameter magnitude a snapshot may hold. Training never comes near it (values are
/// within +-kMaxValueMagnitude), and below it the float32 dot products and norms of 32-wide (or
/// far wider) rows stay finite, so a loaded model can never score NaN.
constexpr float kMaxParameterMagnitude = 1e15f;

/// rows x width floats, each row padded with zeros to kernels::paddedWidth(width). The padding
/// stays zero through training (its gradient is always zero), so kernels run over whole lanes.
/// Rows start `pitch` floats apart (at least the padded width): a trainer keeps each row's
/// optimizer state right behind it, so that one update reads one contiguous block.
class FloatMatrix {
 public:
  FloatMatrix() = default;
  FloatMatrix(std::int32_t rows, std::int32_t width, std::int32_t pitch = 0);

  std::int32_t rows() const { return rows_; }
  std::int32_t width() const { return width_; }
  std::int32_t stride() const { return stride_; }
  std::int32_t pitch() const { return pitch_; }
  float* row(std::int32_t r) { return data_.data() + static_cast<std::size_t>(r) * pitch_; }
  const float* row(std::int32_t r) const {
    return data_.data() + static_cast<std::size_t>(r) * pitch_;
  }
  /// The same values with rows packed at the padded width.
  FloatMatrix compact() const;
  /// Copies the values (not what lies between rows) of a matrix of the same shape.
  void assignValues(const FloatMatrix& other);

  /// Every real element uniform in [lo, hi), drawn row by row.
  void fillUniform(Random& rng, float lo, float hi);
  /// The half squared norm sum(w^2) / 2 (tf.nn.l2_loss), summed in double.
  double halfSquaredNorm() const;
  /// True when every element is finite and within +-kMaxParameterMagnitude.
  bool allWithinRange() const;

  /// Width, rows and the unpadded values.
  void save(SnapshotWriter& out) const;
  /// Reads what save() wrote; kCorruptSnapshot unless the shape is rows x width and every value
  /// is finite and within +-kMaxParameterMagnitude.
  static FloatMatrix load(SnapshotReader& in, std::int32_t rows, std::int32_t width);

 private:
  std::int32_t rows_ = 0;
  std::int32_t width_ = 0;
  std::int32_t stride_ = 0;
  std::int32_t pitch_ = 0;
  std::vector<float> data_;
};

enum class OptimizerKind { kAdam, kSgd };

/// Which rows an optimizer step updates.
enum class UpdateMode {
  kDense,  ///< every row, every step, as Keras does (rows outside the batch still decay and move)
  kLazy,   ///< only the rows the batch touched (lazy Adam); the L2 term acts on those rows only
};

/// Training options every learned model reads (names as in ModelOptions).
struct TrainingOptions {
  int epochs = 10;
  int batchSize = 256;
  double learningRate = 0.01;
  OptimizerKind optimizer = OptimizerKind::kAdam;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
  double l2 = 0.0;
  std::string updates = "auto";  ///< "auto", "dense" or "lazy"
  std::uint32_t seed = 42;
  double validationFraction = 0.0;
  int patience = 0;
  double initScale = 0.05;

  /// Reads every shared option with the given defaults for l2; kInvalidArgument on bad values.
  static TrainingOptions read(OptionReader& reader, double defaultL2);
  /// "auto" is dense while the tables have at most 4 rows per batch example (every
  /// notebook-sized problem, where dense costs little) and lazy beyond.
  UpdateMode resolveUpdates(std::int64_t tableRows) const;
};

/// Scalars of one optimizer step, shared by every table.
class Optimizer {
 public:
  Optimizer(const TrainingOptions& options, UpdateMode mode);
  /// Advances the step counter and the bias corrections (call once per batch).
  void beginStep();
  OptimizerKind kind() const { return kind_; }
  UpdateMode mode() const { return mode_; }
  const kernels::AdamStep& adamStep() const { return adam_; }
  float learningRate() const { return learningRate_; }
  float l2() const { return adam_.l2; }
  std::int64_t steps() const { return steps_; }

 private:
  OptimizerKind kind_;
  UpdateMode mode_;
  double beta1_, beta2_, beta1Power_ = 1.0, beta2Power_ = 1.0;
  float learningRate_;
  kernels::AdamStep adam_{};
  std::int64_t steps_ = 0;
};

/// A parameter table with its optimizer state and the gradient of the batch in progress.
/// Adam's moments m and v of a row follow the row in memory. Rows touched in a batch get a
/// slot (in first-touch order) holding their gradient.
class TrainableTable {
 public:
  TrainableTable() = default;
  TrainableTable(const FloatMatrix& initial, OptimizerKind optimizer, std::int32_t maxSlots);

  const FloatMatrix& values() const { return values_; }
  float* row(std::int32_t r) { return values_.row(r); }
  const float* row(std::int32_t r) const { return values_.row(r); }
  std::int32_t stride() const { return values_.stride(); }
  /// The values alone, packed.
  FloatMatrix snapshot() const { return values_.compact(); }
  /// Overwrites the values (same shape); the optimizer state stays.
  void assign(const FloatMatrix& values) { values_.assignValues(values); }

  /// The slot of `row` in this batch, assigned at first touch (`fresh`). A fresh slot's
  /// gradient is NOT cleared: the caller's first write must overwrite its first stride()
  /// floats (e.g. kernels::scale), which saves clearing every row of every batch.
  RECWASM_ALWAYS_INLINE std::int32_t claimSlot(std::int32_t row, bool& fresh) {
    std::int32_t& s = slotOfRow_[static_cast<std::size_t>(row)];
    fresh = s < 0;
    if (fresh) {
      s = static_cast<std::int32_t>(touched_.size());
      touched_.push_back(row);
    }
    return s;
  }
  /// The slot of `row`, with its gradient cleared at first touch.
  std::int32_t slot(std::int32_t row) {
    bool fresh;
    const std::int32_t s = claimSlot(row, fresh);
    if (fresh) kernels::zero(gradient(s), stride());
    return s;
  }
  float* gradient(std::int32_t slot) {
    return gradients_.data() + static_cast<std::size_t>(slot) * stride();
  }
  const std::vector<std::int32_t>& touchedRows() const { return touched_; }
  /// Slot of `row`, or -1 when the batch has not touched it.
  std::int32_t slotOf(std::int32_t row) const { return slotOfRow_[static_cast<std::size_t>(row)]; }

  /// Applies the step (dense or lazy per `optimizer.mode()`) and clears the batch's slots.
  /// With `trackNorm`, keeps halfSquaredNorm() current (for the reported L2 term).
  void applyStep(const Optimizer& optimizer, bool trackNorm);
  /// sum(w^2) / 2 as of the last recomputeNorm() plus the tracked changes since.
  double halfSquaredNorm() const { return halfNorm_; }
  /// sum(w^2) / 2 over the rows the batch in progress touched, each once: the L2 term whose
  /// gradient a lazy step applies.
  double touchedHalfSquaredNorm() const;
  void recomputeNorm() { halfNorm_ = values_.halfSquaredNorm(); }
  /// Clears the batch's slots without updating (e.g. after a gradient probe).
  void discardGradients();
  /// One row's lazy step with `grad` (stride() floats), outside the batch's slots and without
  /// norm tracking: for per-example SGD, where a batch is one example.
  void stepRow(const Optimizer& optimizer, std::int32_t row, const float* grad) {
    updateRow(optimizer, row, grad, false);
  }

 private:
  float updateRow(const Optimizer& optimizer, std::int32_t row, const float* grad, bool track);

  FloatMatrix values_;  // each row: w, then (Adam) m and v
  std::vector<float> gradients_;
  std::vector<std::int32_t> slotOfRow_;
  std::vector<std::int32_t> touched_;
  double halfNorm_ = 0.0;
};

/// The epoch and batch loop behind continueFit: shuffling and sampling happen in beginEpoch,
/// each batch in trainBatch. A call to advance() ends early when an epoch ends, so that every
/// epoch's loss and speed reach the caller. Checks every batch loss (NaN or infinite ->
/// kTrainingDiverged naming the epoch), times epochs, evaluates the validation loss after each
/// epoch and stops early after `patience` epochs without improvement, restoring the best
/// parameters.
class EpochRun : public Recommender::TrainingRun {
 public:
  FitProgress advance(int maxBatches) override;

 protected:
  EpochRun(std::string kind, const TrainingOptions& options);
  /// Must be called by the derived constructor once the example count is known.
  void setExamplesPerEpoch(std::size_t examples);

  virtual void beginEpoch(int epoch) = 0;
  /// Trains on examples [begin, end) of the epoch; returns the batch loss.
  virtual double trainBatch(std::size_t begin, std::size_t end) = 0;
  /// Loss on the validation examples (NaN when there are none).
  virtual double validationLoss() { return std::numeric_limits<double>::quiet_NaN(); }
  virtual void keepBest() {}
  virtual void restoreBest() {}

  const TrainingOptions& options() const { return options_; }

 private:
  std::string kind_;
  TrainingOptions options_;
  std::size_t examples_ = 0;
  std::size_t batches_ = 0;
  int epoch_ = 0;
  std::size_t batch_ = 0;
  double lossSum_ = 0.0;
  double epochSeconds_ = 0.0;
  double lastLoss_ = std::numeric_limits<double>::quiet_NaN();
  double lastValidation_ = std::numeric_limits<double>::quiet_NaN();
  double lastRate_ = 0.0;
  double bestValidation_ = std::numeric_limits<double>::infinity();
  int epochsWithoutImprovement_ = 0;
  bool finished_ = false;
};

/// Indices 0..n-1 in the order a tf.data shuffle buffer of `bufferSize` emits them (a buffer
/// of at least n is a uniform permutation; 0 means unlimited).
std::vector<std::uint32_t> bufferedShuffleOrder(std::size_t n, std::size_t bufferSize, Random& rng);

/// Picks the validation rows: each of n rows with probability `fraction` (at least one row is
/// left for training). Returns a flag per row.
std::vector<std::uint8_t> chooseValidationRows(std::size_t n, double fraction, Random& rng);

/// The distinct (user, item) pairs in first-occurrence order (pandas' drop_duplicates).
struct UserItemPairs {
  std::vector<std::int32_t> users;
  std::vector<std::int32_t> items;
  std::size_t size() const { return users.size(); }
};
UserItemPairs distinctPairs(const Interactions& data);

/// Rows of `table` scaled to unit length (zero rows stay zero).
FloatMatrix unitRows(const FloatMatrix& table);

/// The k rows of `units` with the highest cosine to row `item`, itself excluded, ties to the
/// lower row.
void nearestRows(const FloatMatrix& units, std::int32_t item, int k, Recommendations& out);

/// The distinct history items with the highest cosine to `item`, strongest first.
std::vector<Contribution> nearestHistoryItems(const FloatMatrix& units, Span<std::int32_t> history,
                                              std::int32_t item, int topN);

/// Reads option `seed` (an integer in [0, 2^32)).
std::uint32_t readSeed(OptionReader& reader);

}  // namespace recwasm
