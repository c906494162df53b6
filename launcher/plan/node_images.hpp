// Which firmware each node boots: vmesh's own guest (nullopt) or an image given by
// --image / VIRTUAL_MESH_IMAGE, the topology's [image] table or a node's `image` key, with
// its recipe (docs/firmware-images.md). Reads the recipe files and the first bytes of each
// disk; starts nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launcher/scenario/scenario.hpp"

namespace vmesh::launcher {

// Where an image given by path finds its recipe when the path is a disk.
struct ImageSources {
  std::optional<std::filesystem::path> run_image;  // --image, else VIRTUAL_MESH_IMAGE
  std::filesystem::path default_recipe;            // configs/images/libremesh.toml
};

// Defaults of a foreign image where its recipe is silent.
inline constexpr std::uint32_t kImageMemoryMb = 512;
inline constexpr const char* kImageMachine = "q35";
inline constexpr const char* kImageMeshIp = "10.13.0.{index}";
inline constexpr const char* kImageSshNet = "10.0.2.0/24";
inline constexpr const char* kImageSshGuest = "10.0.2.15";

// One entry per node (the first node_count), each complete: a disk or a kernel that exists
// and is readable, its format, name and login. Throws std::invalid_argument naming the node
// and what to fix (missing or unreadable disk, compressed or unknown format, a recipe that
// does not parse, an [image] table without a disk); medium::TopologyError for recipe syntax.
std::vector<std::optional<ImageSpec>> resolve_node_images(const Scenario& scenario,
                                                          std::size_t node_count,
                                                          const ImageSources& sources);

// "raw" or "qcow2" from a disk's first bytes; throws std::invalid_argument saying what the
// file is when it is neither (gzip, xz, zstd, VMDK, VDI, VHD(X)) or cannot be read.
std::string detect_disk_format(const std::filesystem::path& disk);

}  // namespace vmesh::launcher
