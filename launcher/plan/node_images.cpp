#include "launcher/plan/node_images.hpp"

#include <array>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "launcher/scenario/image_recipe.hpp"

namespace vmesh::launcher {
namespace {

struct Magic {
  std::string_view bytes;
  const char* what;
};

// Formats QEMU could boot with format=... but vmesh does not take, and the compressed
// files firmware builds ship (OpenWrt's x86-64 images are *.img.gz).
constexpr std::array<Magic, 7> kOtherFormats = {{
    {"\x1f\x8b", "gzip-compressed (OpenWrt ships x86-64 images as .img.gz): gunzip it first"},
    {"\xfd"
     "7zXZ",
     "xz-compressed: unxz it first"},
    {"\x28\xb5\x2f\xfd", "zstd-compressed: unzstd it first"},
    {"KDMV", "a VMDK disk: convert it with qemu-img convert -O qcow2"},
    {"<<< ", "a VirtualBox VDI disk: convert it with qemu-img convert -O qcow2"},
    {"vhdxfile", "a VHDX disk: convert it with qemu-img convert -O qcow2"},
    {"conectix", "a VHD disk: convert it with qemu-img convert -O qcow2"},
}};

bool is_recipe(const std::filesystem::path& path) {
  return path.extension() == ".toml";
}

// The layers under a path given for a node: its recipe, with the disk set when the path is one.
ImageSpec spec_for_path(const std::filesystem::path& path, const ImageSources& sources) {
  if (is_recipe(path)) {
    if (!std::filesystem::exists(path))
      throw std::invalid_argument(fmt::format("image recipe {} does not exist", path.string()));
    return load_image_recipe(path);
  }
  // A recipe beside the disk (the firmware's own), else the LibreMesh recipe.
  const std::filesystem::path beside = path.string() + ".vmesh.toml";
  ImageSpec spec = std::filesystem::exists(beside) ? load_image_recipe(beside)
                                                   : load_image_recipe(sources.default_recipe);
  spec.disk = path;
  spec.kernel.reset();
  spec.initrd.reset();
  spec.append.reset();
  return spec;
}

void require_readable(const std::filesystem::path& path, const std::string& node,
                      const std::string& what, const std::string& fix) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw std::invalid_argument(
        fmt::format("node {}: {} {} does not exist; {}", node, what, path.string(), fix));
  }
  if (std::filesystem::is_directory(path, error)) {
    throw std::invalid_argument(
        fmt::format("node {}: {} {} is a directory; {}", node, what, path.string(), fix));
  }
  if (!std::ifstream(path, std::ios::binary)) {
    throw std::invalid_argument(fmt::format("node {}: {} {} cannot be read (check its permissions)",
                                            node, what, path.string()));
  }
}

void complete(ImageSpec& spec, const std::string& node) {
  if (!spec.disk && !spec.kernel) {
    throw std::invalid_argument(
        fmt::format("node {}: the image ({}) names no disk and no kernel; give --image DISK, "
                    "VIRTUAL_MESH_IMAGE=DISK, or disk = \"...\" in [image]",
                    node, spec.recipe.string()));
  }
  if (spec.disk) {
    require_readable(*spec.disk, node, "disk",
                     "give the path of a raw or qcow2 x86-64 disk (--image or VIRTUAL_MESH_IMAGE)");
    std::string detected;
    try {
      detected = detect_disk_format(*spec.disk);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("node {}: {}", node, e.what()));
    }
    if (spec.format && *spec.format != detected) {
      throw std::invalid_argument(fmt::format("node {}: disk {} is {}, but {} says format = \"{}\"",
                                              node, spec.disk->string(), detected,
                                              spec.recipe.string(), *spec.format));
    }
    spec.format = detected;
    if (spec.name.empty()) spec.name = spec.disk->filename().string();
  } else {
    require_readable(*spec.kernel, node, "kernel", "fix kernel = in [image]");
    if (spec.initrd) require_readable(*spec.initrd, node, "initrd", "fix initrd = in [image]");
    if (spec.name.empty()) spec.name = spec.kernel->filename().string();
  }
  if (spec.login_key) require_readable(*spec.login_key, node, "login key", "fix [image.login] key");
  if (!spec.login_key && !spec.login_password) spec.login_password = "";
  if (!spec.login_user) spec.login_user = "root";
  if (!spec.memory_mb) spec.memory_mb = kImageMemoryMb;
  if (!spec.machine) spec.machine = kImageMachine;
  if (!spec.mesh_ip) spec.mesh_ip = kImageMeshIp;
  if (!spec.ssh_net) spec.ssh_net = kImageSshNet;
  if (!spec.ssh_guest) spec.ssh_guest = kImageSshGuest;
  if (!spec.ssh_port) spec.ssh_port = 22;
}

}  // namespace

std::string detect_disk_format(const std::filesystem::path& disk) {
  std::ifstream in(disk, std::ios::binary);
  std::array<char, 8> head{};
  in.read(head.data(), head.size());
  if (in.gcount() < 4) {
    throw std::invalid_argument(
        fmt::format("disk {} is empty or shorter than any disk image", disk.string()));
  }
  const std::string_view bytes(head.data(), static_cast<std::size_t>(in.gcount()));
  if (bytes.starts_with("QFI\xfb")) return "qcow2";
  for (const Magic& magic : kOtherFormats) {
    if (bytes.starts_with(magic.bytes))
      throw std::invalid_argument(fmt::format("disk {} is {}", disk.string(), magic.what));
  }
  return "raw";
}

std::vector<std::optional<ImageSpec>> resolve_node_images(const Scenario& scenario,
                                                          std::size_t node_count,
                                                          const ImageSources& sources) {
  std::vector<std::optional<ImageSpec>> images(node_count);
  for (std::size_t i = 0; i < node_count && i < scenario.nodes.size(); ++i) {
    const std::string& node = scenario.topology.nodes[i].name;
    // The disk (or recipe) by precedence: a node's own, the command line, the topology.
    std::optional<std::filesystem::path> path = scenario.nodes[i].image;
    if (!path) path = sources.run_image;
    if (!path && !scenario.image) continue;  // vmesh's own guest
    ImageSpec spec;
    try {
      if (path) {
        spec = spec_for_path(*path, sources);
        if (scenario.image) {
          // The topology's keys apply to the image; its disk is replaced by the path.
          ImageSpec over = *scenario.image;
          over.disk.reset();
          over.kernel.reset();
          over.initrd.reset();
          over.append.reset();
          spec = merge_image_specs(spec, over);
        }
      } else if (scenario.image->disk) {
        spec = merge_image_specs(spec_for_path(*scenario.image->disk, sources), *scenario.image);
      } else {
        spec = *scenario.image;
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("node {}: {}", node, e.what()));
    }
    complete(spec, node);
    images[i] = std::move(spec);
  }
  return images;
}

}  // namespace vmesh::launcher
