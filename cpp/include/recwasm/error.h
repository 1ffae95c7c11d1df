// Errors that cross every boundary of recwasm as data: C++ throws `recwasm::Error`, the wasm
// adapters turn it into a status slot, and TypeScript raises `RecwasmError` with the same code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace recwasm {

/// Stable error codes. Their names (errorCodeName) are part of the public API: TypeScript users
/// switch on them, so a code is never renamed or renumbered.
enum class ErrorCode : int {
  kInvalidArgument = 1,     ///< a parameter or input value lies outside its documented domain
  kUnknownUser = 2,         ///< a user id that is not in the model and no history was given
  kUnknownItem = 3,         ///< an item id that is not in the model's catalogue
  kNotFitted = 4,           ///< a model was asked to serve before a training run completed
  kParseError = 5,          ///< malformed text input (a CSV line, a number)
  kCorruptSnapshot = 6,     ///< snapshot bytes are truncated, altered or not a snapshot at all
  kUnsupportedVersion = 7,  ///< a snapshot written by a newer format version
  kCancelled = 8,           ///< a training run was cancelled by its caller
  kTrainingDiverged = 9,    ///< the loss became NaN or infinite; the model keeps its old state
  kOutOfMemory = 10,        ///< an allocation failed; the model and data keep their old state
  kUnsupported = 11,        ///< the model has no such capability (e.g. similar items)
  kInternal = 12,           ///< a bug in recwasm; please report it
};

/// "INVALID_ARGUMENT", "UNKNOWN_USER", ... (the names TypeScript sees).
std::string_view errorCodeName(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] void fail(ErrorCode code, const std::string& message);

/// Throws kInvalidArgument with `message` unless `condition` holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) fail(ErrorCode::kInvalidArgument, message);
}
/// The same for a literal, which then becomes a string only on failure (per-call checks of the
/// serving path would otherwise allocate one every call).
inline void require(bool condition, const char* message) {
  if (!condition) fail(ErrorCode::kInvalidArgument, message);
}
/// The same for a message in two parts (what is checked, what it must be), joined only on
/// failure.
inline void require(bool condition, const char* subject, const char* predicate) {
  if (!condition) fail(ErrorCode::kInvalidArgument, std::string(subject) + predicate);
}

}  // namespace recwasm
