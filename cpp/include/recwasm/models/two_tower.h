// Model "two_tower": user and item embeddings, both L2-normalised, scored by their cosine, as
// the notebook's TwoTower trains it (DESIGN.md, "two_tower").
//
// Options (defaults reproduce the notebook):
//   factors 32            embedding size
//   loss "sigmoid"        "sigmoid": each distinct training pair is a positive plus `negatives`
//                         items drawn uniformly (any item but the positive, fresh every epoch),
//                         sigmoid cross-entropy on the logit; "softmax": sampled softmax over
//                         in-batch negatives (each positive against the other items of its
//                         batch; copies of its own item are masked)
//   negatives 3           negatives per positive ("sigmoid" only)
//   temperature 1         logit = cosine / temperature (the notebook: 1, so logits lie in
//                         [-1, 1] and the loss cannot fall far; about 0.3 trains better)
//   shuffleBuffer 5000    tf.data shuffle buffer of the notebook (0: shuffle the whole epoch)
//   epochs 10, batchSize 256, learningRate 0.01, optimizer "adam" | "sgd", beta1 0.9,
//   beta2 0.999, epsilon 1e-7, l2 0, updates "auto" | "dense" | "lazy", seed 42,
//   validationFraction 0, patience 0, initScale 0.05
//
// Recommendations rank items by cosine to the user (the logit's order for any temperature).
// A history (fold-in) becomes the direction of the mean of its unit item embeddings; an empty
// one gets popularity. similarItems and explain use item-embedding cosines.
//
// Errors: bad options (or batchSize > 8192 with "softmax") -> kInvalidArgument at
// construction; no training rows or, with "sigmoid", fewer than 2 items -> kInvalidArgument
// from beginFit; a NaN or infinite batch loss -> kTrainingDiverged from continueFit.
#pragma once

#include <array>
#include <memory>

#include "recwasm/models/embedding_training.h"
#include "recwasm/models/popularity.h"

namespace recwasm {

enum class TwoTowerLoss { kSigmoid, kSoftmax };

struct TwoTowerConfig {
  TrainingOptions training;
  int factors = 32;
  TwoTowerLoss loss = TwoTowerLoss::kSigmoid;
  int negatives = 3;
  double temperature = 1.0;
  int shuffleBuffer = 5000;
};

struct TwoTowerParameters {
  FloatMatrix userEmbeddings;  ///< users x factors, not normalised
  FloatMatrix itemEmbeddings;  ///< items x factors, not normalised
};

/// One training run of two_tower. Public for tests and tools.
class TwoTowerTrainer final : public EpochRun {
 public:
  TwoTowerTrainer(const TwoTowerConfig& config, std::shared_ptr<const Interactions> data);

  TwoTowerParameters parameters() const;
  void setParameters(const TwoTowerParameters& parameters);
  /// Loss and gradient of one batch at the current parameters, nothing updated. For "sigmoid"
  /// `labels` are 0/1 per (user, item); for "softmax" the pairs are positives and `labels` is
  /// ignored.
  double probeGradient(Span<std::int32_t> users, Span<std::int32_t> items, Span<float> labels,
                       TwoTowerParameters& gradient);
  UpdateMode updateMode() const { return optimizer_.mode(); }
  PopularityRanking& popularity() { return popularity_; }

 protected:
  void beginEpoch(int epoch) override;
  double trainBatch(std::size_t begin, std::size_t end) override;
  double validationLoss() override;
  void keepBest() override;
  void restoreBest() override;

 private:
  enum Table { kUsers, kItems, kTables };
  double batchGradient(const std::int32_t* users, const std::int32_t* items, const float* labels,
                       std::size_t n);
  double sigmoidBatch(const std::int32_t* users, const std::int32_t* items, const float* labels,
                      std::size_t n);
  double softmaxBatch(const std::int32_t* users, const std::int32_t* items, std::size_t n);
  /// Slot of `row` in table t, normalising the row into the slot's cache at first touch.
  std::int32_t unitSlot(Table t, std::int32_t row, bool& fresh);
  /// Turns the gradients with respect to the unit vectors into gradients of the raw rows.
  void backThroughNormalisation(Table t);
  float* unit(Table t, std::int32_t slot) {
    return units_[t].data() + static_cast<std::size_t>(slot) * stride_;
  }
  double validationSigmoid();
  double validationSoftmax();

  TwoTowerConfig config_;
  std::shared_ptr<const Interactions> data_;
  Optimizer optimizer_;
  Random shuffleRng_;
  Random negativeRng_;
  std::int32_t stride_;
  std::array<TrainableTable, kTables> tables_;
  // Per batch: the unit vector and 1/|x| of every touched row, by slot.
  std::array<std::vector<float>, kTables> units_;
  std::array<std::vector<float>, kTables> inverseNorms_;
  // Scratch of softmaxBatch: the batch's unit vectors (row j: example j's user, its item),
  // the items transposed, and per block of rows the logits, their weights in the gradients and
  // the users' gradients; the items' gradients over the whole batch.
  static constexpr std::size_t kSoftmaxBlock = 64;
  struct SoftmaxScratch {
    std::vector<float> users, items, itemsTransposed, logits, weights, userGradients, itemGradients;
    std::vector<double> row;
    std::vector<std::size_t> byItem, sameItemBegin, sameItemCount;
  } softmax_;
  std::vector<std::int32_t> scratchSlots_;
  std::vector<std::uint8_t> scratchFirst_;
  std::vector<std::int32_t> trainUsers_, trainItems_;
  std::vector<std::int32_t> epochUsers_, epochItems_;
  std::vector<float> epochLabels_;
  std::vector<std::int32_t> validUsers_, validItems_;
  std::vector<float> validLabels_;
  std::vector<FloatMatrix> best_;
  PopularityRanking popularity_;
};

class TwoTower final : public Recommender {
 public:
  explicit TwoTower(const OptionMap& options);
  const TwoTowerParameters& parameters() const { return params_; }
  static TwoTowerConfig parseOptions(const OptionMap& options, OptionMap* resolved);

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
  TwoTowerConfig config_;
  TwoTowerParameters params_;
  FloatMatrix itemUnits_;
  PopularityRanking popularity_;
};

}  // namespace recwasm
