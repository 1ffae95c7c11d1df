#include "recwasm/snapshot.h"

#include <array>

namespace recwasm {

namespace {

constexpr char kMagic[8] = {'R', 'E', 'C', 'W', 'A', 'S', 'M', '\0'};
constexpr std::size_t kHeaderBytes = sizeof(kMagic) + sizeof(std::uint32_t) + sizeof(std::uint64_t);
constexpr std::size_t kTrailerBytes = sizeof(std::uint32_t);

std::array<std::uint32_t, 256> makeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

template <class T>
T readLittleEndian(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> table = makeCrcTable();
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

void SnapshotWriter::string(const std::string& s) {
  pod<std::uint64_t>(s.size());
  payload_.insert(payload_.end(), s.begin(), s.end());
}

std::vector<std::uint8_t> SnapshotWriter::finish() const {
  std::vector<std::uint8_t> out(kHeaderBytes + payload_.size() + kTrailerBytes);
  const std::uint64_t payloadBytes = payload_.size();
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  std::memcpy(out.data() + 8, &kSnapshotVersion, sizeof(kSnapshotVersion));
  std::memcpy(out.data() + 12, &payloadBytes, sizeof(payloadBytes));
  if (!payload_.empty()) std::memcpy(out.data() + kHeaderBytes, payload_.data(), payload_.size());
  const std::size_t crcOffset = out.size() - kTrailerBytes;
  const std::uint32_t crc = crc32(out.data(), crcOffset);
  std::memcpy(out.data() + crcOffset, &crc, sizeof(crc));
  return out;
}

void SnapshotReader::corrupt(const std::string& why) {
  fail(ErrorCode::kCorruptSnapshot, "corrupt snapshot: " + why);
}

SnapshotReader::SnapshotReader(Span<std::uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes) corrupt("too short to be a snapshot");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) corrupt("not a recwasm snapshot");
  auto payloadBytes = readLittleEndian<std::uint64_t>(bytes.data() + 12);
  if (payloadBytes != bytes.size() - kHeaderBytes - kTrailerBytes) {
    corrupt("length does not match (truncated or padded)");
  }
  std::size_t crcOffset = bytes.size() - kTrailerBytes;
  if (crc32(bytes.data(), crcOffset) != readLittleEndian<std::uint32_t>(bytes.data() + crcOffset)) {
    corrupt("checksum mismatch");
  }
  version_ = readLittleEndian<std::uint32_t>(bytes.data() + 8);
  if (version_ == 0) corrupt("version 0");
  if (version_ > kSnapshotVersion) {
    fail(ErrorCode::kUnsupportedVersion, "snapshot format version " + std::to_string(version_) +
                                             " is newer than this recwasm reads (" +
                                             std::to_string(kSnapshotVersion) + ")");
  }
  pos_ = bytes.data() + kHeaderBytes;
  end_ = bytes.data() + crcOffset;
}

const std::uint8_t* SnapshotReader::take(std::size_t n) {
  if (n > remaining()) corrupt("payload ends early");
  const std::uint8_t* p = pos_;
  pos_ += n;
  return p;
}

std::string SnapshotReader::string() {
  auto n = pod<std::uint64_t>();
  if (n > remaining()) corrupt("string longer than the snapshot");
  const auto* p = reinterpret_cast<const char*>(take(static_cast<std::size_t>(n)));
  return std::string(p, static_cast<std::size_t>(n));
}

void SnapshotReader::expectEnd() const {
  if (pos_ != end_) corrupt("unread bytes after the model state");
}

}  // namespace recwasm
