// Reading [image] tables: from a topology file (through parse_scenario) or from a recipe
// file of their own, a TOML file whose only table is [image] (configs/images/*.toml, or
// DISK.vmesh.toml beside a disk).
#pragma once

#include <filesystem>

#include "launcher/scenario/image_spec.hpp"
#include "medium/toml_reader.hpp"

namespace vmesh::launcher {

// One [image] table; relative paths (disk, kernel, initrd, login.key) are taken from
// `base_dir`. Throws medium::TopologyError at the offending key.
ImageSpec read_image_table(const medium::TomlReader& reader, const toml::node& image,
                           const std::filesystem::path& base_dir);

// A recipe file. Throws medium::TopologyError ("file:line:col: ...", or "file: cannot open").
ImageSpec load_image_recipe(const std::filesystem::path& path);

}  // namespace vmesh::launcher
