// [image] tables: in a topology and in recipe files; placeholders; IPv4 subnets.
#include <fstream>

#include <gtest/gtest.h>

#include "launcher/scenario/image_placeholders.hpp"
#include "launcher/scenario/image_recipe.hpp"
#include "launcher/scenario/ipv4_net.hpp"
#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

std::string with_image(const std::string& image_table) {
  return "[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\nimage = \"b.img\"\n" + image_table;
}

// The error text of parsing `text` as a topology ("" when it parses).
std::string parse_error(const std::string& text) {
  try {
    parse_scenario(text, "/topo/t.toml");
  } catch (const medium::TopologyError& e) {
    return e.what();
  }
  return "";
}

TEST(ImageSpec, TopologyTableIsReadWithPathsFromTheTopologyFolder) {
  const auto scenario = parse_scenario(with_image(R"(
[image]
name = "fw"
disk = "fw.img"
format = "qcow2"
memory_mb = 384
machine = "pc"
mesh_ip = "10.14.0.{index}"
setup = ["echo {name} {mac_prefix}", "x=${HOME}; echo {relay_host}:{relay_port}"]
ready = "batctl o | grep -q {mesh_ip}"
[image.login]
user = "admin"
password = "secret"
[image.ssh]
net = "10.13.0.0/16"
guest = "10.13.0.1"
port = 2200
[image.relay]
net = "10.99.0.0/24"
nic = 2
server = "10.99.0.254:8212"
)"),
                                       "/topo/t.toml");
  ASSERT_TRUE(scenario.image);
  const ImageSpec& image = *scenario.image;
  EXPECT_EQ(image.name, "fw");
  EXPECT_EQ(image.disk, std::filesystem::path("/topo/fw.img"));
  EXPECT_EQ(image.format, "qcow2");
  EXPECT_EQ(image.memory_mb, 384u);
  EXPECT_EQ(image.machine, "pc");
  EXPECT_EQ(image.setup.size(), 2u);
  EXPECT_EQ(image.login_user, "admin");
  EXPECT_EQ(image.login_password, "secret");
  EXPECT_EQ(image.ssh_guest, "10.13.0.1");
  EXPECT_EQ(image.ssh_port, 2200);
  EXPECT_EQ(image.relay_nic, 2u);
  EXPECT_EQ(image.relay_server, "10.99.0.254:8212");
  EXPECT_EQ(scenario.nodes[1].image, std::filesystem::path("/topo/b.img"));
  EXPECT_FALSE(scenario.nodes[0].image);
}

TEST(ImageSpec, BadTablesNameTheKeyAndItsPlace) {
  EXPECT_NE(parse_error(with_image("[image]\ndisc = \"x\"\n"))
                .find("/topo/t.toml:7:1: unknown key 'disc' in [image]"),
            std::string::npos)
      << parse_error(with_image("[image]\ndisc = \"x\"\n"));
  EXPECT_NE(parse_error(with_image("[image]\nformat = \"vmdk\"\n")).find("\"raw\" or \"qcow2\""),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image]\nsetup = [\"echo {nmae}\"]\n"))
                .find("unknown placeholder {nmae}"),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image]\ndisk = \"a\"\nkernel = \"k\"\n")).find("not both"),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image.login]\npassword = \"\"\nkey = \"k\"\n"))
                .find("a password or a key, not both"),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image.ssh]\nnet = \"10.13.0.0\"\n")).find("IPv4 subnet"),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image.ssh]\nnet = \"10.13.0.0/16\"\nguest = \"10.14.0.1\"\n"))
                .find("guest 10.14.0.1 is outside net 10.13.0.0/16"),
            std::string::npos);
  EXPECT_NE(parse_error(with_image("[image.relay]\nserver = \"10.99.0.254\"\n")).find("IPV4:PORT"),
            std::string::npos);
  EXPECT_NE(
      parse_error(with_image("[image.relay]\nserver = \"10.99.0.254:0\"\n")).find("IPV4:PORT"),
      std::string::npos);
  EXPECT_NE(parse_error(with_image("[image]\nmachine = \"q35 -x\"\n")).find("QEMU machine name"),
            std::string::npos);
  EXPECT_EQ(parse_error(with_image("[image]\nsetup = [\"f() { echo; }; f ${A}\"]\n")), "");
}

TEST(ImageSpec, RecipeFileIsOneImageTableWithPathsFromItsFolder) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vmesh-recipe-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "r.toml") << "[image]\ndisk = \"d.img\"\n[image.login]\nkey = \"id\"\n";
  const ImageSpec spec = load_image_recipe(dir / "r.toml");
  EXPECT_EQ(spec.disk, dir / "d.img");
  EXPECT_EQ(spec.login_key, dir / "id");
  EXPECT_EQ(spec.recipe, dir / "r.toml");
  std::ofstream(dir / "bad.toml") << "[meta]\nname = \"x\"\n";
  EXPECT_THROW(load_image_recipe(dir / "bad.toml"), medium::TopologyError);
  std::ofstream(dir / "none.toml") << "# nothing\n";
  try {
    load_image_recipe(dir / "none.toml");
    ADD_FAILURE() << "a recipe without [image] was taken";
  } catch (const medium::TopologyError& e) {
    EXPECT_NE(std::string(e.what()).find("needs an [image] table"), std::string::npos);
  }
  EXPECT_THROW(load_image_recipe(dir / "missing.toml"), medium::TopologyError);
  std::filesystem::remove_all(dir);
}

TEST(ImageSpec, MergeTakesTheLaterLayersSetFields) {
  ImageSpec base;
  base.disk = "/a.img";
  base.memory_mb = 512;
  base.setup = {"one"};
  base.login_password = "";
  ImageSpec over;
  over.memory_mb = 256;
  over.login_key = "/k";
  const ImageSpec merged = merge_image_specs(base, over);
  EXPECT_EQ(merged.disk, std::filesystem::path("/a.img"));
  EXPECT_EQ(merged.memory_mb, 256u);
  EXPECT_EQ(merged.setup, std::vector<std::string>{"one"});
  EXPECT_EQ(merged.login_key, std::filesystem::path("/k"));
  EXPECT_FALSE(merged.login_password);  // a key replaces the password whole
  over.kernel = "/vmlinuz";
  EXPECT_FALSE(merge_image_specs(base, over).disk);  // a kernel replaces the disk
}

TEST(ImagePlaceholders, KnownWordsAreFilledShellBracesLeftAlone) {
  const std::map<std::string, std::string> values = {{"index", "3"}, {"name", "n3"}};
  EXPECT_EQ(expand_placeholders("ip {index} ${index} {name}{index} { x; } {mesh_ip}", values),
            "ip 3 ${index} n33 { x; } {mesh_ip}");
  EXPECT_EQ(expand_placeholders("[ {name} = n1 ] || { echo {name} {index}; false; }", values),
            "[ n3 = n1 ] || { echo n3 3; false; }");
  EXPECT_EQ(unknown_placeholder("a {index} {foo} {bar}"), "foo");
  EXPECT_EQ(unknown_placeholder("{ echo {nmae}; }"), "nmae");
  EXPECT_FALSE(unknown_placeholder("${foo} {relay_port} { echo; }"));
}

TEST(Ipv4Net, ParsesSubnetsAndAddresses) {
  const auto net = parse_ipv4_net("10.13.7.9/16");
  ASSERT_TRUE(net);
  EXPECT_EQ(format_ipv4(net->network), "10.13.0.0");
  EXPECT_EQ(format_ipv4(net->user_mode_host()), "10.13.0.2");
  EXPECT_TRUE(net->contains(*parse_ipv4("10.13.255.1")));
  EXPECT_FALSE(net->contains(*parse_ipv4("10.14.0.1")));
  EXPECT_FALSE(parse_ipv4_net("10.13.0.0/31"));
  EXPECT_FALSE(parse_ipv4_net("10.13.0/16"));
  EXPECT_FALSE(parse_ipv4("256.1.1.1"));
  EXPECT_FALSE(parse_ipv4("1.2.3.4.5"));
  EXPECT_FALSE(parse_ipv4("1.2.3."));
}

}  // namespace
}  // namespace vmesh::launcher
