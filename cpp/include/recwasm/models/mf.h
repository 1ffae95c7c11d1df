// Model "mf": biased matrix factorisation, r(u, i) = mu + b_u + b_i + <p_u, q_i>, as the
// notebook's TFMatrixFactorization trains it (DESIGN.md, "mf").
//
// Options (defaults reproduce the notebook):
//   factors 32          embedding size k
//   objective "rating"  "rating": MSE on the ratings (the notebook); "implicit": every distinct
//                       (user, item) pair is a positive and `negatives` uniformly drawn other
//                       items per positive (fresh each epoch) are negatives, with sigmoid
//                       cross-entropy on the same score (for data without ratings)
//   negatives 3         negatives per positive ("implicit" only)
//   foldInL2 1.0        ridge strength of the fold-in of unknown users
//   epochs 10, batchSize 256, learningRate 0.01, optimizer "adam" | "sgd", beta1 0.9,
//   beta2 0.999, epsilon 1e-7 (Keras' Adam), l2 1e-5 (times the sum over every variable of
//   sum(w^2)/2, tf.nn.l2_loss; with lazy updates over the rows each batch touched, in the
//   gradient and the reported loss alike), updates "auto" | "dense" | "lazy", seed 42,
//   validationFraction 0, patience 0, initScale 0.05 (uniform(-s, s) initialisation)
//
// Parameters are float32, as in the notebook. mu starts at the training mean (0 for
// "implicit") and is trained; the rest start uniform(-initScale, initScale). `updates` and the
// training loop are described in embedding_training.h and docs/learned-models.md.
//
// Errors: bad options -> kInvalidArgument at construction; no training rows (or, for
// "implicit", fewer than 2 items) -> kInvalidArgument from beginFit; a NaN or infinite batch
// loss -> kTrainingDiverged from continueFit, naming the epoch (the model keeps its state).
// Serving: a history (fold-in) gets ridge-regressed factors; an empty one gets popularity.
#pragma once

#include <array>
#include <memory>

#include "recwasm/models/embedding_training.h"
#include "recwasm/models/popularity.h"

namespace recwasm {

enum class MfObjective { kRating, kImplicit };

struct MfConfig {
  TrainingOptions training;
  int factors = 32;
  MfObjective objective = MfObjective::kRating;
  int negatives = 3;
  double foldInL2 = 1.0;
  /// Batches of one example under lazy SGD take a fused step (same arithmetic, about 3x less
  /// time); false keeps them on the general batch path, for tests that compare the two.
  bool fusedSgdSteps = true;
};

/// The trained parameters.
struct MfParameters {
  FloatMatrix userFactors;  ///< users x k
  FloatMatrix itemFactors;  ///< items x k
  FloatMatrix userBias;     ///< users x 1
  FloatMatrix itemBias;     ///< items x 1
  float mu = 0.0f;
};

/// One training run of mf. Public for tests and tools (gradient checks, batch-level timing).
class MfTrainer final : public EpochRun {
 public:
  MfTrainer(const MfConfig& config, std::shared_ptr<const Interactions> data);

  /// The parameters as they are now (mid-run they change with every batch).
  MfParameters parameters() const;
  /// Overwrites the parameters (shapes must match; for gradient checks).
  void setParameters(const MfParameters& parameters);
  /// Loss and gradient of one batch at the current parameters, with the L2 term over every
  /// variable, without updating anything. `targets` are ratings ("rating") or labels 0/1.
  double probeGradient(Span<std::int32_t> users, Span<std::int32_t> items, Span<float> targets,
                       MfParameters& gradient);
  UpdateMode updateMode() const { return optimizer_.mode(); }
  MfParameters takeParameters();
  PopularityRanking& popularity() { return popularity_; }
  /// Batches the fused per-example SGD step took (tests check which path ran).
  std::uint64_t fusedSteps() const { return fusedSteps_; }

 protected:
  void beginEpoch(int epoch) override;
  double trainBatch(std::size_t begin, std::size_t end) override;
  double validationLoss() override;
  void keepBest() override;
  void restoreBest() override;

 private:
  template <bool kImplicit>
  double batchGradient(const std::int32_t* users, const std::int32_t* items, const float* targets,
                       std::size_t n);
  template <bool kImplicit>
  double sgdStep(std::size_t example);
  double l2Term() const;
  double touchedL2Term() const;
  float predict(std::int32_t u, std::int32_t i) const;

  // A user or item row holds the factors (padded to whole lanes, biasColumn() floats) and
  // then the bias, so that one slot and one optimizer call serve both.
  enum Table { kUsers, kItems, kMu, kTables };
  std::int32_t biasColumn() const { return kernels::paddedWidth(config_.factors); }

  MfConfig config_;
  std::shared_ptr<const Interactions> data_;
  Optimizer optimizer_;
  Random shuffleRng_;
  Random negativeRng_;
  bool trackNorm_;
  std::array<TrainableTable, kTables> tables_;
  // Training examples (rows, or distinct pairs for "implicit") and the epoch's shuffled copy.
  std::vector<std::int32_t> trainUsers_, trainItems_;
  std::vector<float> trainTargets_;
  std::vector<std::int32_t> epochUsers_, epochItems_;
  std::vector<float> epochTargets_;
  std::vector<std::int32_t> validUsers_, validItems_;
  std::vector<float> validTargets_;
  std::vector<std::int32_t> slotOfUser_, slotOfItem_;  // per example of the batch
  std::vector<std::uint8_t> firstOfUser_, firstOfItem_;
  std::vector<FloatMatrix> best_;
  PopularityRanking popularity_;
  std::uint64_t fusedSteps_ = 0;
};

class Mf final : public Recommender {
 public:
  explicit Mf(const OptionMap& options);
  bool predictsRatings() const override { return config_.objective == MfObjective::kRating; }
  const MfParameters& parameters() const { return params_; }
  static MfConfig parseOptions(const OptionMap& options, OptionMap* resolved);

 protected:
  std::unique_ptr<TrainingRun> startTraining(const Dataset& data) override;
  void adopt(TrainingRun& run) override;
  void scoreInto(const UserContext& user, double* scores) const override;
  void similarItemsInto(std::int32_t item, int k, Recommendations& out) const override;
  std::vector<Contribution> explainItem(const UserContext& user, std::int32_t item,
                                        int topN) const override;
  void saveState(SnapshotWriter& out) const override;
  void loadState(SnapshotReader& in) override;

 private:
  /// The user's factors and bias from a supplied history; false for an empty history.
  bool foldIn(const UserContext& user, std::vector<float>& factors, float& bias) const;

  MfConfig config_;
  MfParameters params_;
  FloatMatrix itemUnits_;  // item factors scaled to unit length (similar items, explanations)
  PopularityRanking popularity_;
};

}  // namespace recwasm
