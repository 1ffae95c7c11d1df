#include "recwasm/error.h"

namespace recwasm {

std::string_view errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kUnknownUser:
      return "UNKNOWN_USER";
    case ErrorCode::kUnknownItem:
      return "UNKNOWN_ITEM";
    case ErrorCode::kNotFitted:
      return "NOT_FITTED";
    case ErrorCode::kParseError:
      return "PARSE_ERROR";
    case ErrorCode::kCorruptSnapshot:
      return "CORRUPT_SNAPSHOT";
    case ErrorCode::kUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case ErrorCode::kCancelled:
      return "CANCELLED";
    case ErrorCode::kTrainingDiverged:
      return "TRAINING_DIVERGED";
    case ErrorCode::kOutOfMemory:
      return "OUT_OF_MEMORY";
    case ErrorCode::kUnsupported:
      return "UNSUPPORTED";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

}  // namespace recwasm
