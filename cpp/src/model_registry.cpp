#include "recwasm/model_registry.h"

#include <functional>
#include <utility>

#include "recwasm/error.h"
#include "recwasm/models/content_tfidf.h"
#include "recwasm/models/covisitation.h"
#include "recwasm/models/knn.h"
#include "recwasm/models/mf.h"
#include "recwasm/models/popularity.h"
#include "recwasm/models/two_tower.h"

namespace recwasm {

namespace {

using Factory = std::function<std::unique_ptr<Recommender>(const OptionMap&)>;

template <class Model>
Factory factoryOf() {
  return [](const OptionMap& options) { return std::make_unique<Model>(options); };
}

const std::vector<std::pair<std::string, Factory>>& registry() {
  // One model per line, in the notebook's order.
  // clang-format off
  static const std::vector<std::pair<std::string, Factory>> models = {
      {"popularity", factoryOf<Popularity>()},
      {"content_tfidf", factoryOf<ContentTfidf>()},
      {"covisitation", factoryOf<Covisitation>()},
      {"user_knn", factoryOf<UserKnn>()},
      {"item_knn", factoryOf<ItemKnn>()},
      {"mf", factoryOf<Mf>()},
      {"two_tower", factoryOf<TwoTower>()},
  };
  // clang-format on
  return models;
}

}  // namespace

std::vector<std::string> modelKinds() {
  std::vector<std::string> kinds;
  for (const auto& entry : registry()) kinds.push_back(entry.first);
  return kinds;
}

std::unique_ptr<Recommender> createRecommender(std::string_view kind, const OptionMap& options) {
  for (const auto& [name, factory] : registry()) {
    if (name == kind) return factory(options);
  }
  std::string list;
  for (const auto& entry : registry()) list += (list.empty() ? "" : ", ") + entry.first;
  fail(ErrorCode::kInvalidArgument,
       "unknown model '" + std::string(kind) + "' (available: " + list + ")");
}

std::unique_ptr<Recommender> loadRecommender(Span<std::uint8_t> bytes) {
  SnapshotReader in(bytes);
  std::string kind = in.string();
  OptionMap options;
  auto count = in.pod<std::uint64_t>();
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string key = in.string();
    switch (in.pod<std::uint8_t>()) {
      case 0:
        options[key] = in.pod<double>();
        break;
      case 1:
        options[key] = in.pod<std::uint8_t>() != 0;
        break;
      case 2:
        options[key] = in.string();
        break;
      default:
        SnapshotReader::corrupt("unknown option type");
    }
  }
  std::unique_ptr<Recommender> model;
  try {
    model = createRecommender(kind, options);
  } catch (const Error& e) {
    SnapshotReader::corrupt(e.what());
  }
  model->train_ = std::make_shared<const Interactions>(readInteractions(in));
  model->loadState(in);
  in.expectEnd();
  return model;
}

}  // namespace recwasm
