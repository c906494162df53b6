// The {name} placeholders of an image's setup, ready and mesh_ip strings.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vmesh::launcher {

// index, name, mac_prefix, relay_host, relay_port, mesh_ip, channel.
bool is_image_placeholder(std::string_view name);

// The first {word} of `text` that is not a placeholder, nullopt when all are known. Text in
// braces that is not a word ("${VAR}", "{ a; b; }") is the shell's and left alone.
std::optional<std::string> unknown_placeholder(std::string_view text);

// `text` with every known {word} replaced from `values`; a placeholder `values` lacks stays.
std::string expand_placeholders(std::string_view text,
                                const std::map<std::string, std::string>& values);

}  // namespace vmesh::launcher
