// Writes real snapshots of every registered model kind (fitted on the notebook's training split
// and on a tiny dataset) into a directory, so the snapshot fuzzer starts from valid files of
// each kind, including kinds added after the committed corpus was made.
//
//   recwasm-fuzz-seeds DIR
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "recwasm/demo_data.h"
#include "recwasm/model_registry.h"
#include "recwasm/split.h"

using namespace recwasm;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: recwasm-fuzz-seeds DIR\n");
    return 2;
  }
  DemoDataParams tinyParams;
  tinyParams.users = 4;
  tinyParams.items = 8;
  tinyParams.ratingsPerUser = 3;
  tinyParams.sessionLength = 3;
  Dataset full = demoDataset(generateDemoData({}));
  Dataset notebook = full;
  notebook.interactions =
      std::make_shared<Interactions>(leaveOneOutSplit(*full.interactions, 42).train);
  const std::pair<const char*, Dataset> datasets[] = {
      {"notebook", notebook}, {"tiny", demoDataset(generateDemoData(tinyParams))}};
  int written = 0;
  for (const std::string& kind : modelKinds()) {
    for (const auto& [name, data] : datasets) {
      std::unique_ptr<Recommender> model = createRecommender(kind, {});
      model->fit(data);
      std::vector<std::uint8_t> bytes = model->save();
      std::ofstream out(std::string(argv[1]) + "/" + kind + "-" + name + ".snap", std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ++written;
    }
  }
  std::printf("wrote %d snapshots\n", written);
  return 0;
}
