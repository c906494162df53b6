#include "medium/link_reader.hpp"

#include "medium/units.hpp"

namespace vmesh::medium {

LinkOverrides read_link_params(const TomlReader& reader, const toml::table& table) {
  LinkOverrides params;
  if (auto* n = table.get("loss")) params.loss_prob = reader.get_probability(*n, "loss");
  if (auto* n = table.get("delay")) params.delay_us = reader.get_duration(*n, "delay");
  if (auto* n = table.get("jitter")) params.jitter_us = reader.get_duration(*n, "jitter");
  if (auto* n = table.get("reorder")) params.reorder = reader.get_bool(*n, "reorder");
  if (auto* n = table.get("rate")) params.rate_bps = reader.get_rate(*n, "rate");
  if (auto* n = table.get("burst")) {
    params.burst_bytes = static_cast<std::uint64_t>(reader.get_int(*n, "burst", 1, 1 << 30));
  }
  if (auto* n = table.get("queue")) params.queue_us = reader.get_duration(*n, "queue");
  if (auto* n = table.get("signal_dbm")) {
    params.signal_dbm = static_cast<int>(reader.get_int(*n, "signal_dbm", -128, 127));
  }
  if (auto* n = table.get("burst_loss")) {
    const toml::table& ge = reader.require_table(*n, "burst_loss");
    reader.check_keys(ge, "burst_loss", {"enter", "leave", "loss_good", "loss_bad"});
    BurstLoss burst;
    auto* enter = ge.get("enter");
    auto* leave = ge.get("leave");
    if (enter == nullptr || leave == nullptr) {
      reader.fail(*n, "burst_loss needs enter (P good -> bad) and leave (P bad -> good)");
    }
    burst.enter_prob = reader.get_probability(*enter, "burst_loss.enter");
    burst.leave_prob = reader.get_probability(*leave, "burst_loss.leave");
    if (auto* g = ge.get("loss_good"))
      burst.loss_good = reader.get_probability(*g, "burst_loss.loss_good");
    if (auto* b = ge.get("loss_bad"))
      burst.loss_bad = reader.get_probability(*b, "burst_loss.loss_bad");
    params.burst_loss = burst;
  }
  return params;
}

void check_jitter(const TomlReader& reader, const LinkParams& params, const toml::table& table,
                  const std::string& what) {
  if (params.reorder || params.jitter_us <= params.delay_us) return;
  const toml::node* at = table.get("jitter");
  if (at == nullptr) at = table.get("delay");
  if (at == nullptr) at = &table;
  reader.fail(*at, "jitter " + format_duration(params.jitter_us) + " is larger than delay " +
                       format_duration(params.delay_us) + " on " + what +
                       "; expected jitter <= delay, or reorder = true to let frames overtake "
                       "each other");
}

void read_endpoints(const TomlReader& reader, const toml::table& table, const Topology& topology,
                    NodeId& from, NodeId& to, bool& symmetric) {
  const toml::node* nodes = table.get("nodes");
  const toml::node* from_node = table.get("from");
  const toml::node* to_node = table.get("to");
  if (nodes != nullptr && (from_node != nullptr || to_node != nullptr)) {
    reader.fail(*nodes,
                "use either nodes = [a, b] (both directions) or from/to (one direction), not both");
  }
  if (nodes != nullptr) {
    const toml::array* pair = nodes->as_array();
    if (pair == nullptr || pair->size() != 2)
      reader.fail(*nodes, "nodes must be a pair of node names [a, b]");
    from = reader.get_node(*pair->get(0), "nodes", topology);
    to = reader.get_node(*pair->get(1), "nodes", topology);
    symmetric = true;
  } else {
    if (from_node == nullptr || to_node == nullptr) {
      reader.fail(table,
                  "expected nodes = [a, b] (both directions) or from and to (one direction)");
    }
    from = reader.get_node(*from_node, "from", topology);
    to = reader.get_node(*to_node, "to", topology);
    symmetric = false;
  }
  if (from == to) reader.fail(nodes ? *nodes : *to_node, "a link needs two different nodes");
}

}  // namespace vmesh::medium
