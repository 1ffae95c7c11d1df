// Helpers for writing a model's TrainingRun.
#pragma once

#include <utility>

#include "recwasm/recommender.h"

namespace recwasm {

/// A run for models trained in one pass: the work happens when the run is created and the
/// first advance() reports done. `State` is whatever the model adopts afterwards.
template <class State>
class OnePassRun final : public Recommender::TrainingRun {
 public:
  explicit OnePassRun(State state) : state_(std::move(state)) {}
  FitProgress advance(int) override {
    FitProgress progress;
    progress.done = true;
    progress.epoch = 1;
    progress.epochs = 1;
    progress.fraction = 1.0;
    progress.epochEnded = true;
    return progress;
  }
  State& state() { return state_; }

 private:
  State state_;
};

}  // namespace recwasm
