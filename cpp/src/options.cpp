#include "recwasm/options.h"

#include <algorithm>
#include <cmath>

#include "recwasm/error.h"

namespace recwasm {

namespace {

std::string describe(const OptionValue& v) {
  if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? "true" : "false";
  if (std::holds_alternative<std::string>(v)) return "\"" + std::get<std::string>(v) + "\"";
  std::string s = std::to_string(std::get<double>(v));
  return s;
}

}  // namespace

OptionReader::OptionReader(const OptionMap& given, std::string_view modelKind)
    : given_(given), modelKind_(modelKind) {}

const OptionValue* OptionReader::find(std::string_view key) {
  known_.emplace_back(key);
  auto it = given_.find(key);
  return it == given_.end() ? nullptr : &it->second;
}

double OptionReader::number(std::string_view key, double defaultValue, double min, double max) {
  double value = defaultValue;
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<double>(*v)) {
      fail(ErrorCode::kInvalidArgument,
           modelKind_ + " option '" + std::string(key) + "' must be a number, got " + describe(*v));
    }
    value = std::get<double>(*v);
  }
  if (!std::isfinite(value) || value < min || value > max) {
    fail(ErrorCode::kInvalidArgument, modelKind_ + " option '" + std::string(key) +
                                          "' must be a finite number in [" + std::to_string(min) +
                                          ", " + std::to_string(max) + "], got " +
                                          describe(OptionValue(value)));
  }
  resolved_[std::string(key)] = value;
  return value;
}

int OptionReader::integer(std::string_view key, int defaultValue, int min, int max) {
  double value = number(key, defaultValue, min, max);
  if (value != std::floor(value)) {
    fail(ErrorCode::kInvalidArgument,
         modelKind_ + " option '" + std::string(key) + "' must be an integer");
  }
  return static_cast<int>(value);
}

bool OptionReader::flag(std::string_view key, bool defaultValue) {
  bool value = defaultValue;
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<bool>(*v)) {
      fail(ErrorCode::kInvalidArgument, modelKind_ + " option '" + std::string(key) +
                                            "' must be true or false, got " + describe(*v));
    }
    value = std::get<bool>(*v);
  }
  resolved_[std::string(key)] = value;
  return value;
}

std::string OptionReader::choice(std::string_view key, std::string_view defaultValue,
                                 const std::vector<std::string_view>& allowed) {
  std::string value(defaultValue);
  if (const OptionValue* v = find(key)) {
    if (!std::holds_alternative<std::string>(*v)) {
      fail(ErrorCode::kInvalidArgument,
           modelKind_ + " option '" + std::string(key) + "' must be a string, got " + describe(*v));
    }
    value = std::get<std::string>(*v);
  }
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(ErrorCode::kInvalidArgument, modelKind_ + " option '" + std::string(key) +
                                          "' must be one of " + list + ", got \"" + value + "\"");
  }
  resolved_[std::string(key)] = value;
  return value;
}

void OptionReader::finish() const {
  for (const auto& [key, value] : given_) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string list;
    for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
    fail(ErrorCode::kInvalidArgument, "unknown " + modelKind_ + " option '" + key +
                                          "' (valid: " + (list.empty() ? "none" : list) + ")");
  }
}

}  // namespace recwasm
