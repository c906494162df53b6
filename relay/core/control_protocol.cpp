#include "relay/core/control_protocol.hpp"

#include "base/wire/byte_io.hpp"

namespace vmesh::relay {

namespace {

using wire::load;
using wire::store;

// Sequential reader over the arrived bytes; `ok()` turns false once a field is missing.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  template <typename T>
  T take() {
    if (!ok_ || bytes_.size() - at_ < sizeof(T)) {
      ok_ = false;
      return T{};
    }
    T value = load<T>(bytes_.data() + at_);
    at_ += sizeof(T);
    return value;
  }
  std::string take_string(std::size_t n) {
    if (!ok_ || bytes_.size() - at_ < n) {
      ok_ = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return s;
  }
  bool ok() const { return ok_; }
  std::size_t consumed() const { return at_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

class Writer {
 public:
  template <typename T>
  Writer& put(T value) {
    const std::size_t at = out_.size();
    out_.resize(at + sizeof(T));
    store<T>(out_.data() + at, value);
    return *this;
  }
  Writer& put_bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), p, p + n);
    return *this;
  }
  // vwifi's string layout: int32 strlen, then the characters and a NUL if non-empty.
  Writer& put_name(const std::string& name) {
    put<std::int32_t>(static_cast<std::int32_t>(name.size()));
    if (!name.empty()) put_bytes(name.c_str(), name.size() + 1);
    return *this;
  }
  Writer& put_coordinates(const Coordinates& c) {
    return put<std::int32_t>(c.x_m).put<std::int32_t>(c.y_m).put<std::int32_t>(c.z_m);
  }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
};

}  // namespace

ControlParse parse_control_request(std::span<const std::uint8_t> bytes) {
  ControlParse result;
  Reader in(bytes);
  const auto order = in.take<std::int32_t>();
  if (!in.ok()) return result;
  ControlRequest& req = result.request;
  req.order = static_cast<ControlOrder>(order);

  switch (req.order) {
    case ControlOrder::none:
    case ControlOrder::list:
    case ControlOrder::show:
    case ControlOrder::status:
    case ControlOrder::close_all:
      break;
    case ControlOrder::change_coordinate:
      req.cid = in.take<std::uint32_t>();
      req.coordinates.x_m = in.take<std::int32_t>();
      req.coordinates.y_m = in.take<std::int32_t>();
      req.coordinates.z_m = in.take<std::int32_t>();
      break;
    case ControlOrder::set_name: {
      req.cid = in.take<std::uint32_t>();
      const auto name_len = in.take<std::int32_t>();
      if (!in.ok()) return result;
      if (name_len < 0 || name_len > kMaxControlNameBytes) {
        result.status = ControlParseStatus::invalid;
        result.error = "setname length " + std::to_string(name_len) + " outside [0, 1024]";
        return result;
      }
      if (name_len > 0) {
        req.name = in.take_string(static_cast<std::size_t>(name_len) + 1);
        if (in.ok()) req.name.resize(static_cast<std::size_t>(name_len));  // drop the NUL
      }
      break;
    }
    case ControlOrder::packet_loss:
      req.loss_enabled = in.take<std::int32_t>() != 0;
      break;
    case ControlOrder::distance:
      req.cid = in.take<std::uint32_t>();
      req.cid2 = in.take<std::uint32_t>();
      break;
    case ControlOrder::set_scale:
      req.scale = in.take<double>();
      break;
    default:
      result.status = ControlParseStatus::invalid;
      result.error = "unknown control order " + std::to_string(order);
      return result;
  }
  if (!in.ok()) return result;
  result.status = ControlParseStatus::complete;
  result.consumed = in.consumed();
  return result;
}

std::vector<std::uint8_t> encode_list_reply(const PeerRegistry& peers) {
  Writer out;
  for (PeerKind kind : {PeerKind::spy, PeerKind::client}) {
    out.put<std::uint32_t>(static_cast<std::uint32_t>(peers.count(kind)));
    for (const LivePeer& p : peers.live()) {
      if (p.kind != kind) continue;
      out.put<std::uint32_t>(p.record.id)
          .put_coordinates(p.record.coordinates)
          .put_name(p.record.name);
    }
  }
  return out.take();
}

std::vector<std::uint8_t> encode_show_reply(bool loss_enabled, double scale, bool spy_connected) {
  return Writer{}
      .put<std::uint8_t>(loss_enabled)
      .put<double>(scale)
      .put<std::uint8_t>(spy_connected)
      .take();
}

std::vector<std::uint8_t> encode_status_reply(bool loss_enabled, double scale,
                                              std::optional<std::uint16_t> vsock_port,
                                              std::uint16_t tcp_port,
                                              std::uint32_t remembered_capacity,
                                              bool spy_connected) {
  Writer out;
  out.put<std::uint8_t>(loss_enabled).put<double>(scale);
  if (vsock_port) out.put<std::uint16_t>(*vsock_port);
  out.put<std::uint16_t>(tcp_port)
      .put<std::uint32_t>(remembered_capacity)
      .put<std::uint8_t>(spy_connected);
  return out.take();
}

std::vector<std::uint8_t> encode_distance_reply(std::int32_t code, double distance_m) {
  Writer out;
  out.put<std::int32_t>(code);
  if (code == 0) out.put<double>(distance_m);
  return out.take();
}

std::vector<std::uint8_t> encode_control_request(const ControlRequest& req) {
  Writer out;
  out.put<std::int32_t>(static_cast<std::int32_t>(req.order));
  switch (req.order) {
    case ControlOrder::change_coordinate:
      out.put<std::uint32_t>(req.cid).put_coordinates(req.coordinates);
      break;
    case ControlOrder::set_name:
      out.put<std::uint32_t>(req.cid).put_name(req.name);
      break;
    case ControlOrder::packet_loss:
      out.put<std::int32_t>(req.loss_enabled ? 1 : 0);
      break;
    case ControlOrder::distance:
      out.put<std::uint32_t>(req.cid).put<std::uint32_t>(req.cid2);
      break;
    case ControlOrder::set_scale:
      out.put<double>(req.scale);
      break;
    default:
      break;
  }
  return out.take();
}

}  // namespace vmesh::relay
