#include "relay/vhost/split_vring.hpp"

#include <atomic>
#include <cstring>

namespace vmesh::vhost {
namespace {

// Parts of the ring, the `value` of a ring_misaligned / ring_outside_memory fault.
constexpr std::uint32_t kPartDesc = 0;
constexpr std::uint32_t kPartAvail = 1;
constexpr std::uint32_t kPartUsed = 2;

template <typename T>
T load_plain(const std::uint8_t* p) noexcept {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
void store_plain(std::uint8_t* p, T value) noexcept {
  std::memcpy(p, &value, sizeof(T));
}

// The ring indexes are shared with the guest's vCPUs; start() checked their alignment.
std::atomic_ref<std::uint16_t> shared_u16(std::uint8_t* p) noexcept {
  return std::atomic_ref<std::uint16_t>(*reinterpret_cast<std::uint16_t*>(p));
}

Descriptor read_descriptor(const std::uint8_t* table, std::uint32_t index) noexcept {
  const std::uint8_t* p = table + kDescSize * index;
  return {load_plain<std::uint64_t>(p), load_plain<std::uint32_t>(p + 8),
          load_plain<std::uint16_t>(p + 12), load_plain<std::uint16_t>(p + 14)};
}

bool aligned(const void* p, std::size_t alignment) noexcept {
  return reinterpret_cast<std::uintptr_t>(p) % alignment == 0;
}

}  // namespace

std::string_view describe(VringError error) noexcept {
  switch (error) {
    case VringError::none:
      return "no error";
    case VringError::not_started:
      return "queue not started";
    case VringError::bad_queue_size:
      return "queue size not a power of two in 1..32768";
    case VringError::ring_misaligned:
      return "ring address misaligned";
    case VringError::ring_outside_memory:
      return "ring not inside one memory region";
    case VringError::avail_idx_jump:
      return "avail idx ran more than the queue size ahead";
    case VringError::bad_head_index:
      return "head index beyond the queue size";
    case VringError::bad_next_index:
      return "next index beyond its descriptor table";
    case VringError::chain_too_long:
      return "descriptor chain longer than its table (a loop)";
    case VringError::descriptor_outside_memory:
      return "buffer not inside one memory region";
    case VringError::writable_before_readable:
      return "readable descriptor after a writable one";
    case VringError::indirect_not_negotiated:
      return "indirect descriptor not negotiated";
    case VringError::indirect_with_next:
      return "indirect descriptor with NEXT set";
    case VringError::indirect_nested:
      return "indirect descriptor inside an indirect table";
    case VringError::indirect_bad_length:
      return "indirect table length invalid";
    case VringError::indirect_outside_memory:
      return "indirect table not inside one region";
    case VringError::push_without_pop:
      return "used buffer pushed with none in flight";
    case VringError::bad_used_head:
      return "used head beyond the queue size";
  }
  return "unknown vring error";
}

void DescriptorChain::clear() noexcept {
  head = 0;
  readable.clear();
  writable.clear();
  readable_bytes = 0;
  writable_bytes = 0;
}

VringFault SplitVring::start(const GuestMemory& memory, const VringConfig& config) noexcept {
  started_ = false;
  const std::uint32_t size = config.size;
  if (size == 0 || size > kMaxQueueSize || (size & (size - 1)) != 0) {
    return {VringError::bad_queue_size, size};
  }
  if (config.desc_user_addr % kDescAlign != 0) return {VringError::ring_misaligned, kPartDesc};
  if (config.avail_user_addr % kAvailAlign != 0) return {VringError::ring_misaligned, kPartAvail};
  if (config.used_user_addr % kUsedAlign != 0) return {VringError::ring_misaligned, kPartUsed};

  const HostRange desc = memory.translate_user(config.desc_user_addr, desc_table_bytes(size));
  if (!desc.ok()) return {VringError::ring_outside_memory, kPartDesc, desc.error};
  const HostRange avail =
      memory.translate_user(config.avail_user_addr, avail_ring_bytes(size, config.event_idx));
  if (!avail.ok()) return {VringError::ring_outside_memory, kPartAvail, avail.error};
  const HostRange used =
      memory.translate_user(config.used_user_addr, used_ring_bytes(size, config.event_idx));
  if (!used.ok()) return {VringError::ring_outside_memory, kPartUsed, used.error};
  // The host mapping decides what atomics see; a region mapped at an odd offset would
  // misalign the indexes even when the guest's addresses are aligned.
  if (!aligned(avail.bytes.data(), kAvailAlign)) return {VringError::ring_misaligned, kPartAvail};
  if (!aligned(used.bytes.data(), kUsedAlign)) return {VringError::ring_misaligned, kPartUsed};

  memory_ = &memory;
  config_ = config;
  desc_ = desc.bytes.data();
  avail_ = avail.bytes.data();
  used_ring_ = used.bytes.data();
  fault_ = {};
  last_avail_ = config.avail_base;
  // As other back-ends do on (re)start: the used ring itself says how far it got.
  used_ = published_used_ = shared_u16(used_ring_ + 2).load(std::memory_order_acquire);
  in_flight_ = 0;
  started_ = true;
  if (config_.event_idx) store_avail_event(last_avail_);
  return {};
}

std::uint16_t SplitVring::stop() noexcept {
  started_ = false;
  in_flight_ = 0;
  return last_avail_;
}

PopResult SplitVring::fail(VringFault fault) noexcept {
  fault_ = fault;
  return {PopStatus::error, fault};
}

std::uint16_t SplitVring::load_avail_idx() const noexcept {
  // Acquire: the ring entries and descriptors the driver wrote before idx are visible.
  return shared_u16(avail_ + 2).load(std::memory_order_acquire);
}

void SplitVring::store_avail_event(std::uint16_t value) noexcept {
  shared_u16(used_ring_ + kRingHeaderSize + kUsedElemSize * config_.size)
      .store(value, std::memory_order_relaxed);
}

PopResult SplitVring::pop(DescriptorChain& chain) {
  chain.clear();
  if (!fault_.ok()) return {PopStatus::error, fault_};
  if (!started_) return {PopStatus::error, {VringError::not_started}};

  std::uint16_t avail_idx = load_avail_idx();
  if (avail_idx == last_avail_ && config_.event_idx) {
    // Ask for a kick at the next buffer, then look again: the driver may have added one
    // after our load and before it could see the request (it reads avail_event after a
    // full barrier too, so one of the two sides sees the other).
    store_avail_event(last_avail_);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    avail_idx = load_avail_idx();
  }
  const auto pending = static_cast<std::uint16_t>(avail_idx - last_avail_);
  if (pending > config_.size) return fail({VringError::avail_idx_jump, avail_idx});
  if (pending == 0) return {PopStatus::empty, {}};

  const std::uint32_t slot = last_avail_ & (config_.size - 1);
  const auto head = load_plain<std::uint16_t>(avail_ + kRingHeaderSize + 2 * slot);
  if (head >= config_.size) return fail({VringError::bad_head_index, head});
  const VringFault walked = walk(head, chain);
  if (!walked.ok()) {
    chain.clear();
    return fail(walked);
  }
  ++last_avail_;
  ++in_flight_;
  if (config_.event_idx) store_avail_event(last_avail_);
  return {PopStatus::chain, {}};
}

VringFault SplitVring::walk(std::uint16_t head, DescriptorChain& chain) const {
  chain.head = head;
  const std::uint8_t* table = desc_;
  std::uint32_t table_size = config_.size;
  std::uint32_t index = head;
  std::uint32_t seen = 0;  // descriptors taken from the current table
  bool in_indirect = false;
  bool any_writable = false;
  for (;;) {
    // A chain visits each entry of its table at most once, so more is a loop.
    if (++seen > table_size) return {VringError::chain_too_long, index};
    const Descriptor d = read_descriptor(table, index);

    if ((d.flags & kDescFlagIndirect) != 0) {
      if (!config_.indirect) return {VringError::indirect_not_negotiated, index};
      if (in_indirect) return {VringError::indirect_nested, index};
      if ((d.flags & kDescFlagNext) != 0) return {VringError::indirect_with_next, index};
      if (d.len == 0 || d.len % kDescSize != 0 || d.len / kDescSize > kMaxQueueSize) {
        return {VringError::indirect_bad_length, d.len};
      }
      const HostRange t = memory_->translate_guest(d.addr, d.len);
      if (!t.ok()) return {VringError::indirect_outside_memory, index, t.error};
      // The write flag of the descriptor naming a table means nothing: ignored.
      table = t.bytes.data();
      table_size = d.len / static_cast<std::uint32_t>(kDescSize);
      index = 0;
      seen = 0;
      in_indirect = true;
      continue;
    }

    const HostRange buffer = memory_->translate_guest(d.addr, d.len);
    if (!buffer.ok()) return {VringError::descriptor_outside_memory, index, buffer.error};
    if ((d.flags & kDescFlagWrite) != 0) {
      any_writable = true;
      if (d.len != 0) chain.writable.push_back(buffer.bytes);
      chain.writable_bytes += d.len;
    } else {
      if (any_writable) return {VringError::writable_before_readable, index};
      if (d.len != 0) chain.readable.push_back(buffer.bytes);
      chain.readable_bytes += d.len;
    }
    if ((d.flags & kDescFlagNext) == 0) return {};
    index = d.next;
    if (index >= table_size) return {VringError::bad_next_index, index};
  }
}

VringFault SplitVring::add_used(std::uint16_t head, std::uint32_t written_len) noexcept {
  if (!fault_.ok()) return fault_;
  if (!started_) return {VringError::not_started};
  if (head >= config_.size) return {VringError::bad_used_head, head};
  if (in_flight_ == 0) return {VringError::push_without_pop, head};
  std::uint8_t* element =
      used_ring_ + kRingHeaderSize + kUsedElemSize * (used_ & (config_.size - 1));
  store_plain<std::uint32_t>(element, head);
  store_plain<std::uint32_t>(element + 4, written_len);
  ++used_;
  --in_flight_;
  return {};
}

bool SplitVring::publish_used() noexcept {
  if (!started_ || !fault_.ok() || used_ == published_used_) return false;
  const std::uint16_t old_idx = published_used_;
  // Release: the used elements are visible before the idx that covers them.
  shared_u16(used_ring_ + 2).store(used_, std::memory_order_release);
  published_used_ = used_;
  // Store-load ordering: the driver must see our idx before we read its suppression
  // request, or both sides could decide that no interrupt is needed.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (config_.event_idx) {
    const std::uint16_t used_event =
        shared_u16(avail_ + kRingHeaderSize + 2 * config_.size).load(std::memory_order_relaxed);
    return need_event(used_event, used_, old_idx);
  }
  const std::uint16_t flags = shared_u16(avail_).load(std::memory_order_relaxed);
  return (flags & kAvailFlagNoInterrupt) == 0;
}

SplitVring::PushResult SplitVring::push(std::uint16_t head, std::uint32_t written_len) noexcept {
  const VringFault added = add_used(head, written_len);
  if (!added.ok()) return {added, false};
  return {{}, publish_used()};
}

}  // namespace vmesh::vhost
