// Creating models by name (the names the CLI, the TS API and snapshots use).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recwasm/recommender.h"

namespace recwasm {

/// "popularity", "content_tfidf", ... in the order the notebook presents them.
std::vector<std::string> modelKinds();

/// A new, unfitted model; unknown kinds and bad options throw kInvalidArgument.
std::unique_ptr<Recommender> createRecommender(std::string_view kind, const OptionMap& options);

/// A fitted model from save()'s bytes (kCorruptSnapshot / kUnsupportedVersion on bad input).
std::unique_ptr<Recommender> loadRecommender(Span<std::uint8_t> bytes);

}  // namespace recwasm
