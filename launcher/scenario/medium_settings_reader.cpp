// [medium]: the keys the launcher owns (the medium reads the others).
#include <fmt/format.h>

#include "launcher/scenario/scenario_readers.hpp"

namespace vmesh::launcher {

void read_medium_settings(const medium::TomlReader& reader, const toml::node& medium,
                          Scenario& scenario) {
  const toml::table* table = medium.as_table();
  if (table == nullptr) return;  // the medium parser has already refused it
  if (auto* n = table->get("transport")) {
    const std::string name = reader.get_string(*n, "transport");
    scenario.relay_transport = parse_relay_transport(name);
    if (!scenario.relay_transport) {
      reader.fail(*n, fmt::format("transport must be \"serial\", \"tcp\" or \"vhost-user\" (how "
                                  "the guests' radios reach the relay), got {}",
                                  medium::quoted(*n)));
    }
  }
}

}  // namespace vmesh::launcher
