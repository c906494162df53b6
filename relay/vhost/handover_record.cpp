#include "relay/vhost/handover_record.hpp"

#include <cstring>
#include <optional>
#include <type_traits>

namespace vmesh::vhost {
namespace {

constexpr std::size_t kMaxNameBytes = 255;
constexpr std::uint16_t kQueueStarted = 1 << 0;
constexpr std::uint16_t kQueueEnabled = 1 << 1;
constexpr std::uint16_t kQueueKick = 1 << 2;
constexpr std::uint16_t kQueueCall = 1 << 3;
constexpr std::uint16_t kQueueErr = 1 << 4;
constexpr std::uint16_t kQueueFlags =
    kQueueStarted | kQueueEnabled | kQueueKick | kQueueCall | kQueueErr;
// A vhost-user message carries at most one fd per memory region.
constexpr std::size_t kMaxInputFds = kMaxMemoryRegions;

class Writer {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void put(T value) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  void put_count(std::size_t n) { put(static_cast<std::uint32_t>(n)); }
  void put_bytes(std::span<const std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  void put_name(const std::string& name) {
    put(static_cast<std::uint16_t>(name.size()));
    bytes_.insert(bytes_.end(), name.begin(), name.end());
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Reads fields front to back; the first read past the end sets `failed` and every later
// read yields zeros, so a decoder checks once per record part.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    T value{};
    if (!take(sizeof(T))) return value;
    std::memcpy(&value, bytes_.data() + at_ - sizeof(T), sizeof(T));
    return value;
  }
  std::span<const std::uint8_t> get_bytes(std::size_t n) {
    if (!take(n)) return {};
    return bytes_.subspan(at_ - n, n);
  }
  bool failed() const { return failed_; }
  std::size_t left() const { return failed_ ? 0 : bytes_.size() - at_; }

 private:
  bool take(std::size_t n) {
    if (failed_ || bytes_.size() - at_ < n) {
      failed_ = true;
      return false;
    }
    at_ += n;
    return true;
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  bool failed_ = false;
};

// What a decoder found wrong, if anything.
struct Fault {
  HandoverError error = HandoverError::none;
  std::uint64_t detail = 0;
};

// Hands out the record's fds in wire order; counts what was asked for.
class FdCursor {
 public:
  explicit FdCursor(std::span<const int> fds) : fds_(fds) {}
  int next() { return at_ < fds_.size() ? fds_[at_++] : (++at_, -1); }
  std::size_t asked() const { return at_; }

 private:
  std::span<const int> fds_;
  std::size_t at_ = 0;
};

std::optional<Fault> read_name(Reader& r, std::string& name) {
  const auto length = r.get<std::uint16_t>();
  const auto bytes = r.get_bytes(length);
  if (r.failed()) return Fault{HandoverError::truncated, length};
  if (length == 0 || length > kMaxNameBytes) return Fault{HandoverError::bad_name, length};
  name.assign(bytes.begin(), bytes.end());
  return std::nullopt;
}

std::optional<Fault> read_queue(Reader& r, HandoverQueue& q, FdCursor& fds) {
  q.size = r.get<std::uint32_t>();
  q.desc_user_addr = r.get<std::uint64_t>();
  q.avail_user_addr = r.get<std::uint64_t>();
  q.used_user_addr = r.get<std::uint64_t>();
  q.next_avail = r.get<std::uint16_t>();
  const auto flags = r.get<std::uint16_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if ((flags & ~kQueueFlags) != 0) return Fault{HandoverError::bad_queue_flags, flags};
  q.started = (flags & kQueueStarted) != 0;
  q.enabled = (flags & kQueueEnabled) != 0;
  if ((flags & kQueueKick) != 0) q.kick_fd = fds.next();
  if ((flags & kQueueCall) != 0) q.call_fd = fds.next();
  if ((flags & kQueueErr) != 0) q.err_fd = fds.next();
  return std::nullopt;
}

std::optional<Fault> read_connection(Reader& r, HandoverConnection& c, FdCursor& fds) {
  if (auto fault = read_name(r, c.node)) return fault;
  c.socket_fd = fds.next();
  c.features = r.get<std::uint64_t>();
  c.protocol_features = r.get<std::uint64_t>();
  c.family_id = r.get<std::uint16_t>();
  const auto radios = r.get<std::uint32_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if (radios > kMaxHandoverRadios) return Fault{HandoverError::too_many_radios, radios};
  for (std::uint32_t i = 0; i < radios; ++i) {
    wire::MacAddress mac;
    const auto bytes = r.get_bytes(mac.bytes.size());
    if (r.failed()) return Fault{HandoverError::truncated, 0};
    std::memcpy(mac.bytes.data(), bytes.data(), mac.bytes.size());
    c.radios.push_back(mac);
  }
  const auto regions = r.get<std::uint32_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if (regions > kMaxMemoryRegions) return Fault{HandoverError::too_many_regions, regions};
  for (std::uint32_t i = 0; i < regions; ++i) {
    MemoryRegion region;
    region.guest_addr = r.get<std::uint64_t>();
    region.size = r.get<std::uint64_t>();
    region.user_addr = r.get<std::uint64_t>();
    region.mmap_offset = r.get<std::uint64_t>();
    if (r.failed()) return Fault{HandoverError::truncated, 0};
    c.regions.push_back(region);
    c.region_fds.push_back(fds.next());
  }
  const auto queues = r.get<std::uint32_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if (queues != kHwsimQueueCount) return Fault{HandoverError::bad_queue_count, queues};
  for (HandoverQueue& q : c.queues) {
    if (auto fault = read_queue(r, q, fds)) return fault;
  }
  const auto input = r.get<std::uint32_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if (input > kMaxHandoverInputBytes) return Fault{HandoverError::input_too_large, input};
  const auto bytes = r.get_bytes(input);
  const auto input_fds = r.get<std::uint32_t>();
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  if (input_fds > kMaxInputFds) return Fault{HandoverError::too_many_fds, input_fds};
  c.input.assign(bytes.begin(), bytes.end());
  for (std::uint32_t i = 0; i < input_fds; ++i) c.input_fds.push_back(fds.next());
  return std::nullopt;
}

std::optional<Fault> read_body(HandoverKind kind, Reader& r, HandoverRecord& record,
                               FdCursor& fds) {
  switch (kind) {
    case HandoverKind::hello: {
      HandoverHello h;
      h.pid = r.get<std::uint32_t>();
      h.listeners = r.get<std::uint32_t>();
      h.connections = r.get<std::uint32_t>();
      record = h;
      break;
    }
    case HandoverKind::listener: {
      HandoverListener l;
      if (auto fault = read_name(r, l.node)) return fault;
      l.fd = fds.next();
      record = std::move(l);
      break;
    }
    case HandoverKind::connection: {
      HandoverConnection c;
      if (auto fault = read_connection(r, c, fds)) return fault;
      record = std::move(c);
      break;
    }
    case HandoverKind::end:
      record = HandoverEnd{r.get<std::uint32_t>()};
      break;
    case HandoverKind::ack:
      record = HandoverAck{r.get<std::uint32_t>()};
      break;
  }
  if (r.failed()) return Fault{HandoverError::truncated, 0};
  return std::nullopt;
}

void write_queue(Writer& w, const HandoverQueue& q, std::vector<int>& fds) {
  w.put(q.size);
  w.put(q.desc_user_addr);
  w.put(q.avail_user_addr);
  w.put(q.used_user_addr);
  w.put(q.next_avail);
  std::uint16_t flags = 0;
  if (q.started) flags |= kQueueStarted;
  if (q.enabled) flags |= kQueueEnabled;
  for (const auto& [fd, bit] : {std::pair{q.kick_fd, kQueueKick}, std::pair{q.call_fd, kQueueCall},
                                std::pair{q.err_fd, kQueueErr}}) {
    if (fd < 0) continue;
    flags |= bit;
    fds.push_back(fd);
  }
  w.put(flags);
}

void write_connection(Writer& w, const HandoverConnection& c, std::vector<int>& fds) {
  w.put_name(c.node);
  fds.push_back(c.socket_fd);
  w.put(c.features);
  w.put(c.protocol_features);
  w.put(c.family_id);
  w.put_count(c.radios.size());
  for (const wire::MacAddress& mac : c.radios) w.put_bytes(mac.bytes);
  w.put_count(c.regions.size());
  for (const MemoryRegion& region : c.regions) {
    w.put(region.guest_addr);
    w.put(region.size);
    w.put(region.user_addr);
    w.put(region.mmap_offset);
  }
  fds.insert(fds.end(), c.region_fds.begin(), c.region_fds.end());
  w.put_count(c.queues.size());
  for (const HandoverQueue& q : c.queues) write_queue(w, q, fds);
  w.put_count(c.input.size());
  w.put_bytes(c.input);
  w.put_count(c.input_fds.size());
  fds.insert(fds.end(), c.input_fds.begin(), c.input_fds.end());
}

}  // namespace

std::string_view describe(HandoverError error) noexcept {
  switch (error) {
    case HandoverError::none:
      return "no error";
    case HandoverError::short_header:
      return "record shorter than its 12-byte header";
    case HandoverError::bad_magic:
      return "not a handover record (bad magic)";
    case HandoverError::bad_version:
      return "handover format version not spoken here";
    case HandoverError::unknown_kind:
      return "unknown record kind";
    case HandoverError::size_mismatch:
      return "body size differs from the header's";
    case HandoverError::truncated:
      return "record ends inside a field";
    case HandoverError::trailing_bytes:
      return "bytes after the record's last field";
    case HandoverError::bad_name:
      return "node name empty or longer than 255 bytes";
    case HandoverError::too_many_radios:
      return "more radios than a guest may have";
    case HandoverError::too_many_regions:
      return "more memory regions than vhost-user allows";
    case HandoverError::bad_queue_count:
      return "queue count is not hwsim's two";
    case HandoverError::bad_queue_flags:
      return "unknown queue flags";
    case HandoverError::input_too_large:
      return "half-read input larger than one vhost-user message";
    case HandoverError::too_many_fds:
      return "half-read input with more fds than a message carries";
    case HandoverError::fd_count_mismatch:
      return "fds received differ from those the record names";
  }
  return "unknown handover error";
}

HandoverDecode decode_handover(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  HandoverDecode out;
  auto fail = [&out](Fault fault) {
    out.error = fault.error;
    out.detail = fault.detail;
    return out;
  };
  if (bytes.size() < kHandoverHeaderSize) return fail({HandoverError::short_header, bytes.size()});
  Reader header(bytes.first(kHandoverHeaderSize));
  const auto magic = header.get<std::uint32_t>();
  const auto version = header.get<std::uint16_t>();
  const auto kind = header.get<std::uint16_t>();
  const auto size = header.get<std::uint32_t>();
  if (magic != kHandoverMagic) return fail({HandoverError::bad_magic, magic});
  if (version != kHandoverVersion) return fail({HandoverError::bad_version, version});
  if (kind < static_cast<std::uint16_t>(HandoverKind::hello) ||
      kind > static_cast<std::uint16_t>(HandoverKind::ack))
    return fail({HandoverError::unknown_kind, kind});
  if (size != bytes.size() - kHandoverHeaderSize) return fail({HandoverError::size_mismatch, size});

  Reader body(bytes.subspan(kHandoverHeaderSize));
  FdCursor cursor(fds);
  if (auto fault = read_body(static_cast<HandoverKind>(kind), body, out.record, cursor))
    return fail(*fault);
  if (body.left() != 0) return fail({HandoverError::trailing_bytes, body.left()});
  if (cursor.asked() != fds.size()) return fail({HandoverError::fd_count_mismatch, fds.size()});
  return out;
}

EncodedHandover encode_handover(const HandoverRecord& record) {
  Writer body;
  std::vector<int> fds;
  const HandoverKind kind = std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, HandoverHello>) {
          body.put(r.pid);
          body.put(r.listeners);
          body.put(r.connections);
          return HandoverKind::hello;
        } else if constexpr (std::is_same_v<T, HandoverListener>) {
          body.put_name(r.node);
          fds.push_back(r.fd);
          return HandoverKind::listener;
        } else if constexpr (std::is_same_v<T, HandoverConnection>) {
          write_connection(body, r, fds);
          return HandoverKind::connection;
        } else if constexpr (std::is_same_v<T, HandoverEnd>) {
          body.put(r.records);
          return HandoverKind::end;
        } else {
          body.put(r.connections);
          return HandoverKind::ack;
        }
      },
      record);
  Writer out;
  out.put(kHandoverMagic);
  out.put(kHandoverVersion);
  out.put(static_cast<std::uint16_t>(kind));
  out.put(static_cast<std::uint32_t>(body.bytes().size()));
  out.put_bytes(body.bytes());
  return {std::move(out.bytes()), std::move(fds)};
}

}  // namespace vmesh::vhost
