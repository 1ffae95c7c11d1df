// The model contract every recommender implements (DESIGN.md, "The model contract").
//
// The public, non-virtual methods of `Recommender` own everything models share: argument
// validation, resolving a user to a history, exclusion and allow lists, ranking with ties to the
// lower item id, training runs that leave the old state serving until they finish, snapshots.
// A model implements the protected hooks only.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "recwasm/interactions.h"
#include "recwasm/options.h"
#include "recwasm/snapshot.h"
#include "recwasm/span.h"

namespace recwasm {

/// A user's interactions supplied by the caller (fold-in), oldest first. `values` is empty
/// (every value counts as 1.0) or one per item.
struct History {
  std::vector<std::int32_t> items;
  std::vector<double> values;
};

/// Who to recommend for: a known user (dense id) and/or a history. A history, when given,
/// replaces the user's training history; `user == kNoUser` requires a history.
struct Query {
  static constexpr std::int32_t kNoUser = -1;
  std::int32_t user = kNoUser;
  const History* history = nullptr;
};

struct RecommendOptions {
  int k = 10;
  bool excludeSeen = true;            ///< drop the items of the user's history
  std::vector<std::int32_t> exclude;  ///< dense ids never to return
  std::vector<std::int32_t> allow;    ///< when `restrictToAllow`, the only candidates
  bool restrictToAllow = false;
};

/// Ranked items (dense ids) with the model's scores, best first; shorter than k when fewer
/// candidates exist.
struct Recommendations {
  std::vector<std::int32_t> items;
  std::vector<double> scores;
};

/// One history item's share in a recommendation (see Recommender::explain).
struct Contribution {
  std::int32_t item;  ///< a history item (dense id)
  double weight;      ///< model-specific strength, larger = contributed more
};

struct FitProgress {
  bool done = false;
  int epoch = 0;          ///< epochs completed so far
  int epochs = 1;         ///< epochs planned (1 for models trained in one pass)
  double fraction = 0.0;  ///< of the whole run, 0..1
  double loss = std::numeric_limits<double>::quiet_NaN();  ///< mean loss of the last epoch
  double validationLoss = std::numeric_limits<double>::quiet_NaN();
  double examplesPerSecond = 0.0;  ///< of the last completed epoch
  bool epochEnded = false;         ///< this call completed an epoch
};

/// Return false to cancel the run (fit then throws kCancelled and keeps the old state).
using ProgressCallback = std::function<bool(const FitProgress&)>;

/// The user side of a query after resolution: the history the model should use.
struct UserContext {
  std::int32_t user = Query::kNoUser;  ///< dense id, or kNoUser for a folded-in history only
  Span<std::int32_t> items;            ///< history items, oldest first (duplicates kept)
  Span<double> values;                 ///< one per history item
  bool foldedIn = false;               ///< the history came from the caller, not from training
};

/// Which items may be returned, after seen/exclude/allow rules. `user` and `options` must
/// outlive the filter.
///
/// Without an allow list it costs what its rules list, not the catalogue: it marks the excluded
/// and seen items in a per-thread mask and unmarks them when destroyed. (A fresh mask of every
/// item was most of what a popularity recommendation cost.)
class CandidateFilter {
 public:
  CandidateFilter(std::int32_t numItems, const UserContext& user, const RecommendOptions& options);
  ~CandidateFilter();
  CandidateFilter(const CandidateFilter&) = delete;
  CandidateFilter& operator=(const CandidateFilter&) = delete;

  bool allows(std::int32_t item) const { return blocked_[static_cast<std::size_t>(item)] == 0; }

 private:
  void mark(Span<std::int32_t> items, std::uint8_t value);

  std::uint8_t* blocked_ = nullptr;    // one byte per item, non-zero for a ruled-out item
  bool borrowed_ = false;              // blocked_ is the per-thread mask, held by this filter
  std::vector<std::uint8_t> ownMask_;  // with an allow list, or when the mask is held
  Span<std::int32_t> excluded_;
  Span<std::int32_t> seen_;
};

class Recommender {
 public:
  Recommender(std::string kind, OptionMap resolvedOptions);
  virtual ~Recommender();
  Recommender(const Recommender&) = delete;
  Recommender& operator=(const Recommender&) = delete;

  const std::string& kind() const { return kind_; }
  /// Every option with its effective value.
  const OptionMap& options() const { return options_; }
  bool isFitted() const { return train_ != nullptr; }
  /// The interactions of the last completed training run (kNotFitted before).
  const Interactions& trainingData() const;
  std::int32_t numItems() const { return trainingData().numItems(); }

  // ---- training -------------------------------------------------------------------------
  /// Trains to completion, calling `onProgress` after every slice of batches.
  void fit(const Dataset& data, const ProgressCallback& onProgress = {});
  /// Starts a run (validating `data`); the previous state keeps serving until the run is done.
  void beginFit(const Dataset& data);
  /// Advances the run by up to `maxBatches` mini-batches (one-pass models finish at once).
  FitProgress continueFit(int maxBatches);
  /// Drops the run in progress; the previous state is untouched.
  void cancelFit();
  bool fitInProgress() const { return run_ != nullptr; }

  // ---- serving ----------------------------------------------------------------------------
  Recommendations recommend(const Query& query, const RecommendOptions& options) const;
  /// One score per item, what recommend() ranks (-inf marks items the model never returns).
  std::vector<double> score(const Query& query) const;
  /// score() at `items` only (what rating metrics need): for some models far cheaper.
  std::vector<double> scoreItems(const Query& query, Span<std::int32_t> items) const;
  /// Items nearest to `item` in the model's item space (kUnsupported where there is none).
  Recommendations similarItems(std::int32_t item, int k) const;
  /// The history items that contributed most to `item`'s score for this user, strongest first.
  std::vector<Contribution> explain(const Query& query, std::int32_t item, int topN) const;
  /// True where scores are rating predictions (RMSE/MAE apply).
  virtual bool predictsRatings() const { return false; }

  // ---- persistence ------------------------------------------------------------------------
  std::vector<std::uint8_t> save() const;

  /// A training run in progress. `advance` does up to `maxBatches` of work.
  class TrainingRun {
   public:
    virtual ~TrainingRun() = default;
    virtual FitProgress advance(int maxBatches) = 0;
  };

 protected:
  /// Validates `data` and prepares a run (one-pass models may do all the work here).
  virtual std::unique_ptr<TrainingRun> startTraining(const Dataset& data) = 0;
  /// Takes the finished state out of `run` (called once, after advance reported done).
  virtual void adopt(TrainingRun& run) = 0;

  /// Fills `scores` (numItems()) for the user. Never NaN; -inf for "never recommend".
  virtual void scoreInto(const UserContext& user, double* scores) const = 0;
  /// scoreInto at `items` only (valid ids); the default scores every item and picks.
  virtual void scoreItemsInto(const UserContext& user, Span<std::int32_t> items,
                              double* scores) const;
  /// Ranking; the default ranks scoreInto's scores, descending, ties to the lower item id.
  virtual void rank(const UserContext& user, const CandidateFilter& filter, int k,
                    Recommendations& out) const;
  virtual void similarItemsInto(std::int32_t item, int k, Recommendations& out) const;
  virtual std::vector<Contribution> explainItem(const UserContext& user, std::int32_t item,
                                                int topN) const;

  /// Model parameters only; the base class writes kind, options and training interactions.
  virtual void saveState(SnapshotWriter& out) const = 0;
  virtual void loadState(SnapshotReader& in) = 0;

  /// The `topN` strongest of `contributions` with a positive weight, strongest first (ties to
  /// the lower item id).
  static std::vector<Contribution> strongestContributions(
      const std::vector<Contribution>& contributions, int topN);
  /// Ranks `scores` into `out` (descending, ties to the lower item id, -inf skipped).
  static void rankScores(const std::vector<double>& scores, const CandidateFilter& filter, int k,
                         Recommendations& out);

 private:
  friend std::unique_ptr<Recommender> loadRecommender(Span<std::uint8_t> bytes);

  UserContext resolve(const Query& query, History& storage) const;

  std::string kind_;
  OptionMap options_;
  std::shared_ptr<const Interactions> train_;
  std::shared_ptr<const Interactions> pendingTrain_;
  std::unique_ptr<TrainingRun> run_;
};

/// Interaction table helpers every snapshot uses.
void writeInteractions(SnapshotWriter& out, const Interactions& data);
Interactions readInteractions(SnapshotReader& in);

}  // namespace recwasm
