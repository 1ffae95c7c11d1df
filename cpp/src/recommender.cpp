#include "recwasm/recommender.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "recwasm/cold.h"
#include "recwasm/error.h"
#include "recwasm/top_k.h"

namespace recwasm {

namespace {

void requireItem(std::int32_t item, std::int32_t numItems, const char* what) {
  if (item < 0 || item >= numItems) {
    fail(ErrorCode::kUnknownItem,
         std::string(what) + " item index " + std::to_string(item) + " is not in the catalogue");
  }
}

void requireK(int k) {
  if (k <= 0) fail(ErrorCode::kInvalidArgument, "k must be a positive integer");
}

// The mask a CandidateFilter without an allow list marks and unmarks: all zero between filters.
struct SharedBlockMask {
  std::vector<std::uint8_t> bytes;
  bool held = false;
};

SharedBlockMask& sharedBlockMask() {
  thread_local SharedBlockMask mask;
  return mask;
}

}  // namespace

CandidateFilter::CandidateFilter(std::int32_t numItems, const UserContext& user,
                                 const RecommendOptions& options)
    : excluded_(options.exclude), seen_(options.excludeSeen ? user.items : Span<std::int32_t>()) {
  // Every id is checked before any mark is set, so a throw leaves the shared mask clean.
  if (options.restrictToAllow) {
    for (std::int32_t item : options.allow) requireItem(item, numItems, "allowed");
  }
  for (std::int32_t item : excluded_) requireItem(item, numItems, "excluded");
  SharedBlockMask& shared = sharedBlockMask();
  const auto size = static_cast<std::size_t>(numItems);
  if (options.restrictToAllow || shared.held) {
    ownMask_.assign(size, options.restrictToAllow ? 1 : 0);
    for (std::int32_t item : options.allow) ownMask_[static_cast<std::size_t>(item)] = 0;
    blocked_ = ownMask_.data();
  } else {
    // A mask sized for a far larger catalogue goes back to the heap rather than stay for good.
    if (shared.bytes.size() > (std::size_t{1} << 16) && shared.bytes.size() > 8 * size) {
      std::vector<std::uint8_t>().swap(shared.bytes);
    }
    if (shared.bytes.size() < size) shared.bytes.resize(size, 0);
    shared.held = true;
    borrowed_ = true;
    blocked_ = shared.bytes.data();
  }
  mark(excluded_, 1);
  mark(seen_, 1);
}

CandidateFilter::~CandidateFilter() {
  if (!borrowed_) return;
  mark(excluded_, 0);
  mark(seen_, 0);
  sharedBlockMask().held = false;
}

void CandidateFilter::mark(Span<std::int32_t> items, std::uint8_t value) {
  for (std::int32_t item : items) blocked_[static_cast<std::size_t>(item)] = value;
}

Recommender::Recommender(std::string kind, OptionMap resolvedOptions)
    : kind_(std::move(kind)), options_(std::move(resolvedOptions)) {}

Recommender::~Recommender() = default;

const Interactions& Recommender::trainingData() const {
  if (!train_) fail(ErrorCode::kNotFitted, kind_ + " model is not fitted");
  return *train_;
}

void Recommender::fit(const Dataset& data, const ProgressCallback& onProgress) {
  beginFit(data);
  constexpr int kBatchesPerSlice = 64;
  for (;;) {
    FitProgress progress = continueFit(kBatchesPerSlice);
    bool keepGoing = !onProgress || onProgress(progress);
    if (progress.done) return;
    if (!keepGoing) {
      cancelFit();
      fail(ErrorCode::kCancelled, kind_ + " training was cancelled");
    }
  }
}

void Recommender::beginFit(const Dataset& data) {
  require(data.interactions != nullptr, "dataset has no interactions");
  std::unique_ptr<TrainingRun> run = startTraining(data);
  pendingTrain_ = data.interactions;
  run_ = std::move(run);
}

FitProgress Recommender::continueFit(int maxBatches) {
  require(maxBatches > 0, "maxBatches must be positive");
  if (!run_) fail(ErrorCode::kInvalidArgument, kind_ + ": no training run in progress");
  FitProgress progress;
  try {
    progress = run_->advance(maxBatches);
  } catch (...) {
    cancelFit();  // a failed run (diverged, out of memory) never replaces the serving state
    throw;
  }
  if (progress.done) {
    adopt(*run_);
    train_ = std::move(pendingTrain_);
    run_.reset();
  }
  return progress;
}

void Recommender::cancelFit() {
  run_.reset();
  pendingTrain_.reset();
}

UserContext Recommender::resolve(const Query& query, History& storage) const {
  const Interactions& train = trainingData();
  if (query.user != Query::kNoUser && (query.user < 0 || query.user >= train.numUsers())) {
    fail(ErrorCode::kUnknownUser, "user index " + std::to_string(query.user) + " is not known");
  }
  UserContext ctx;
  ctx.user = query.user;
  if (query.history != nullptr) {
    const History& given = *query.history;
    require(given.values.empty() || given.values.size() == given.items.size(),
            "history values must be absent or one per item");
    for (std::int32_t item : given.items) requireItem(item, train.numItems(), "history");
    for (double v : given.values) {
      require(std::isfinite(v) && std::fabs(v) <= kMaxValueMagnitude,
              "history values must be finite numbers within +-1e9");
    }
    ctx.items = Span<std::int32_t>(given.items);
    if (given.values.empty()) {
      storage.values.assign(given.items.size(), 1.0);
      ctx.values = Span<double>(storage.values);
    } else {
      ctx.values = Span<double>(given.values);
    }
    ctx.foldedIn = true;
    return ctx;
  }
  if (query.user == Query::kNoUser) {
    fail(ErrorCode::kUnknownUser, "a query needs a known user or a history");
  }
  const auto rows = train.rowsOfUser(query.user);
  if (rows.empty()) return ctx;
  // Rows come in table order, so they are consecutive when the last is `size - 1` past the
  // first: tables grouped by user (MovieLens files and their splits) serve histories in place.
  if (static_cast<std::size_t>(rows[rows.size() - 1] - rows[0]) == rows.size() - 1) {
    const auto first = static_cast<std::size_t>(rows[0]);
    ctx.items = Span<std::int32_t>(train.itemOfRow().data() + first, rows.size());
    ctx.values = Span<double>(train.values().data() + first, rows.size());
    return ctx;
  }
  storage.items.reserve(rows.size());
  storage.values.reserve(rows.size());
  for (std::int32_t row : rows) {
    storage.items.push_back(train.itemOfRow()[static_cast<std::size_t>(row)]);
    storage.values.push_back(train.values()[static_cast<std::size_t>(row)]);
  }
  ctx.items = Span<std::int32_t>(storage.items);
  ctx.values = Span<double>(storage.values);
  return ctx;
}

Recommendations Recommender::recommend(const Query& query, const RecommendOptions& options) const {
  requireK(options.k);
  History buffer;
  UserContext user = resolve(query, buffer);
  CandidateFilter filter(numItems(), user, options);
  const int k = std::min(options.k, numItems());
  Recommendations out;
  out.items.reserve(static_cast<std::size_t>(k));
  out.scores.reserve(static_cast<std::size_t>(k));
  rank(user, filter, k, out);
  return out;
}

std::vector<double> Recommender::score(const Query& query) const {
  History buffer;
  UserContext user = resolve(query, buffer);
  std::vector<double> scores(static_cast<std::size_t>(numItems()));
  scoreInto(user, scores.data());
  return scores;
}

RECWASM_COLD std::vector<double> Recommender::scoreItems(const Query& query,
                                                         Span<std::int32_t> items) const {
  History buffer;
  UserContext user = resolve(query, buffer);
  for (std::int32_t item : items) requireItem(item, numItems(), "scored");
  std::vector<double> scores(items.size());
  scoreItemsInto(user, items, scores.data());
  return scores;
}

RECWASM_COLD void Recommender::scoreItemsInto(const UserContext& user, Span<std::int32_t> items,
                                              double* scores) const {
  std::vector<double> all(static_cast<std::size_t>(numItems()));
  scoreInto(user, all.data());
  for (std::size_t t = 0; t < items.size(); ++t) {
    scores[t] = all[static_cast<std::size_t>(items[t])];
  }
}

Recommendations Recommender::similarItems(std::int32_t item, int k) const {
  requireK(k);
  requireItem(item, numItems(), "query");
  Recommendations out;
  similarItemsInto(item, std::min(k, numItems()), out);
  return out;
}

std::vector<Contribution> Recommender::explain(const Query& query, std::int32_t item,
                                               int topN) const {
  requireK(topN);
  History buffer;
  UserContext user = resolve(query, buffer);
  requireItem(item, numItems(), "explained");
  return explainItem(user, item, topN);
}

RECWASM_COLD std::vector<Contribution> Recommender::strongestContributions(
    const std::vector<Contribution>& contributions, int topN) {
  TopK top(static_cast<std::size_t>(topN));
  for (const Contribution& c : contributions) {
    if (c.weight > 0) top.push(c.weight, c.item);
  }
  std::vector<std::int32_t> items;
  std::vector<double> weights;
  top.drainSorted(items, weights);
  std::vector<Contribution> out(items.size());
  for (std::size_t t = 0; t < items.size(); ++t) out[t] = {items[t], weights[t]};
  return out;
}

void Recommender::rank(const UserContext& user, const CandidateFilter& filter, int k,
                       Recommendations& out) const {
  std::vector<double> scores(static_cast<std::size_t>(numItems()));
  scoreInto(user, scores.data());
  rankScores(scores, filter, k, out);
}

void Recommender::rankScores(const std::vector<double>& scores, const CandidateFilter& filter,
                             int k, Recommendations& out) {
  TopK top(static_cast<std::size_t>(k));
  // What a score must exceed: -inf (never returned) until k are kept, then the worst kept,
  // which an equal score cannot displace (items come in ascending id, so ties go to the kept).
  // Tested first, it settles most items with one sequential read.
  double bar = -std::numeric_limits<double>::infinity();
  for (std::size_t item = 0; item < scores.size(); ++item) {
    const double score = scores[item];
    if (!(score > bar) || !filter.allows(static_cast<std::int32_t>(item))) continue;
    top.push(score, static_cast<std::int32_t>(item));
    if (top.full()) bar = top.worstScore();
  }
  top.drainSorted(out.items, out.scores);
}

void Recommender::similarItemsInto(std::int32_t, int, Recommendations&) const {
  fail(ErrorCode::kUnsupported, kind_ + " has no item space to find similar items in");
}

std::vector<Contribution> Recommender::explainItem(const UserContext&, std::int32_t, int) const {
  fail(ErrorCode::kUnsupported, kind_ + " cannot explain its recommendations");
}

std::vector<std::uint8_t> Recommender::save() const {
  SnapshotWriter out;
  out.string(kind_);
  out.pod<std::uint64_t>(options_.size());
  for (const auto& [key, value] : options_) {
    out.string(key);
    out.pod<std::uint8_t>(static_cast<std::uint8_t>(value.index()));
    if (std::holds_alternative<double>(value)) out.pod<double>(std::get<double>(value));
    if (std::holds_alternative<bool>(value)) out.pod<std::uint8_t>(std::get<bool>(value));
    if (std::holds_alternative<std::string>(value)) out.string(std::get<std::string>(value));
  }
  writeInteractions(out, trainingData());
  saveState(out);
  return out.finish();
}

void writeInteractions(SnapshotWriter& out, const Interactions& data) {
  out.vector(data.users().externalIds());
  out.vector(data.items().externalIds());
  out.vector(data.userOfRow());
  out.vector(data.itemOfRow());
  out.vector(data.values());
  out.vector(data.timestamps());
}

Interactions readInteractions(SnapshotReader& in) {
  try {
    auto users = std::make_shared<IdMap>(in.vector<ExternalId>());
    auto items = std::make_shared<IdMap>(in.vector<ExternalId>());
    auto userOfRow = in.vector<std::int32_t>();
    auto itemOfRow = in.vector<std::int32_t>();
    auto values = in.vector<double>();
    auto timestamps = in.vector<std::int64_t>();
    return Interactions(std::move(users), std::move(items), std::move(userOfRow),
                        std::move(itemOfRow), std::move(values), std::move(timestamps));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInvalidArgument) SnapshotReader::corrupt(e.what());
    throw;
  }
}

}  // namespace recwasm
