// A firmware image that is not vmesh's own guest: how to boot it, reach it and prepare it.
// Written as an [image] table, in a topology file or in a recipe file of its own (see
// docs/firmware-images.md); each field stays unset unless a table sets it, so layers
// (recipe, then topology, then a node's own disk) merge field by field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::launcher {

struct ImageSpec {
  std::string name;              // for messages ("LibreMesh"); default: the disk's name
  std::filesystem::path recipe;  // the file the last layer came from (for messages)
  std::optional<std::filesystem::path> disk;    // booted with -snapshot: never written
  std::optional<std::string> format;            // "raw" | "qcow2"; unset: read from the disk
  std::optional<std::filesystem::path> kernel;  // instead of a disk: -kernel/-initrd/-append
  std::optional<std::filesystem::path> initrd;
  std::optional<std::string> append;
  std::optional<std::uint32_t> memory_mb;
  std::optional<std::string> machine;  // "q35" | "pc"
  std::optional<std::string> mesh_ip;  // the address other nodes ping, with placeholders
  std::vector<std::string> setup;      // run over SSH before the mesh wait, with placeholders
  std::optional<std::string> ready;    // polled until it exits 0, with placeholders
  // [image.login]
  std::optional<std::string> login_user;
  std::optional<std::string> login_password;
  std::optional<std::filesystem::path> login_key;  // a private key file
  // [image.ssh]: the first NIC, the one QEMU forwards SSH to
  std::optional<std::string> ssh_net;    // its user-mode subnet, "10.13.0.0/16"
  std::optional<std::string> ssh_guest;  // the guest address hostfwd points to
  std::optional<std::uint16_t> ssh_port;
  // [image.relay]: a user-mode NIC of its own for the image's client (else the first NIC)
  std::optional<std::string> relay_net;
  std::optional<std::uint32_t> relay_nic;  // its position: 2 is eth2 (eth1 unconnected)
  // "10.99.0.254:8212": where the image's client finds the relay, forwarded by QEMU
  // (guestfwd) to the relay's real port. Unset: the user-mode host at the relay's real port.
  std::optional<std::string> relay_server;
};

// `over`'s set fields replace `base`'s; `setup` replaces when `over` has any.
ImageSpec merge_image_specs(const ImageSpec& base, const ImageSpec& over);

}  // namespace vmesh::launcher
