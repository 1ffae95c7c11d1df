// Model options as a flat, typed key/value map: the one shape that TypeScript objects, CLI flags
// and snapshots all convert to, so a model parses its options in exactly one place.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace recwasm {

using OptionValue = std::variant<double, bool, std::string>;
using OptionMap = std::map<std::string, OptionValue, std::less<>>;

/// Reads a model's options with their defaults and domains. Every read records the effective
/// value, so `resolved()` is the complete option set a snapshot stores. `finish()` rejects keys
/// that no read asked for, naming the valid ones (a typo must not silently fall back to a default).
class OptionReader {
 public:
  OptionReader(const OptionMap& given, std::string_view modelKind);

  double number(std::string_view key, double defaultValue, double min, double max);
  int integer(std::string_view key, int defaultValue, int min, int max);
  bool flag(std::string_view key, bool defaultValue);
  std::string choice(std::string_view key, std::string_view defaultValue,
                     const std::vector<std::string_view>& allowed);
  void finish() const;

  const OptionMap& resolved() const { return resolved_; }

 private:
  const OptionValue* find(std::string_view key);

  const OptionMap& given_;
  std::string modelKind_;
  OptionMap resolved_;
  std::vector<std::string> known_;
};

}  // namespace recwasm
