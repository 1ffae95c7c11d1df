// The binary snapshot format models save to and load from.
//
// Layout (little-endian):
//   "RECWASM\0"       8-byte magic
//   u32 version       kSnapshotVersion of the writer
//   u64 payloadBytes  length of the payload that follows
//   payload           written by SnapshotWriter calls
//   u32 crc32         IEEE CRC-32 of every byte before it
// A reader checks length, magic, CRC and then version before decoding anything, so truncated
// or altered bytes fail with kCorruptSnapshot and newer formats with kUnsupportedVersion.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "recwasm/error.h"
#include "recwasm/span.h"

namespace recwasm {

constexpr std::uint32_t kSnapshotVersion = 1;

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

class SnapshotWriter {
 public:
  template <class T>
  void pod(T value) {
    static_assert(std::is_arithmetic_v<T>, "snapshots store numbers, strings and vectors");
    std::uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    payload_.insert(payload_.end(), bytes, bytes + sizeof(T));
  }
  void string(const std::string& s);
  template <class T>
  void vector(const std::vector<T>& v) {
    static_assert(std::is_arithmetic_v<T>, "vectors of numbers only");
    pod<std::uint64_t>(v.size());
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(v.data());
    payload_.insert(payload_.end(), bytes, bytes + v.size() * sizeof(T));
  }

  /// Header + payload + CRC.
  std::vector<std::uint8_t> finish() const;

 private:
  std::vector<std::uint8_t> payload_;
};

class SnapshotReader {
 public:
  /// Validates the framing (kCorruptSnapshot / kUnsupportedVersion); `bytes` must outlive this.
  explicit SnapshotReader(Span<std::uint8_t> bytes);

  template <class T>
  T pod() {
    static_assert(std::is_arithmetic_v<T>, "snapshots store numbers, strings and vectors");
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string string();
  template <class T>
  std::vector<T> vector() {
    auto n = pod<std::uint64_t>();
    if (n > remaining() / sizeof(T)) corrupt("array longer than the snapshot");
    std::vector<T> v(static_cast<std::size_t>(n));
    // An empty vector's data() may be null, and memcpy's pointers must never be (even for 0).
    if (!v.empty()) std::memcpy(v.data(), take(v.size() * sizeof(T)), v.size() * sizeof(T));
    return v;
  }
  /// Throws kCorruptSnapshot unless every payload byte was read.
  void expectEnd() const;
  std::uint32_t version() const { return version_; }

  [[noreturn]] static void corrupt(const std::string& why);

 private:
  const std::uint8_t* take(std::size_t n);
  std::size_t remaining() const { return end_ - pos_; }

  const std::uint8_t* pos_ = nullptr;
  const std::uint8_t* end_ = nullptr;
  std::uint32_t version_ = 0;
};

}  // namespace recwasm
