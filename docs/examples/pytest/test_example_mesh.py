"""An example router suite on vmesh: connectivity, batman-adv, babeld, and a link cut in
the middle of a test. From the repository root:

  PYTHONPATH=launcher/pytest vmesh run topologies/full3.toml -- \
      pytest-3 -p vmesh_pytest docs/examples/pytest

or let the plugin start the mesh itself (the marker below names the topology):

  PYTHONPATH=launcher/pytest pytest-3 -p vmesh_pytest docs/examples/pytest
"""
import itertools
import re

import pytest

from vmesh_pytest import wait_until

# full3: n1, n2, n3, everyone hears everyone.
pytestmark = pytest.mark.vmesh_topology("topologies/full3.toml")


def pings(src, dst):
    _, _, rc = src.ssh.run(f"ping -c 1 -W 2 {dst.mesh_ip}", timeout=20)
    return rc == 0


def best_next_hop(src, dst, nodes):
    """The node batman-adv on src uses as next hop towards dst (None: no route)."""
    out, _, rc = src.ssh.run("batctl o")
    if rc != 0:
        return None
    by_mac = {node.macs[0]: node for node in nodes}
    for line in out:
        macs = re.findall(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", line.lower())
        if line.lstrip().startswith("*") and len(macs) >= 2 and macs[0] == dst.macs[0]:
            return by_mac.get(macs[1])
    return None


def test_every_node_reaches_every_other(mesh_nodes):
    for src, dst in itertools.permutations(mesh_nodes, 2):
        wait_until(lambda: pings(src, dst), 30, 0.5, f"{src.name} to ping {dst.name}")


def test_batman_adv_neighbours(mesh_nodes):
    n1 = mesh_nodes[0]
    for other in mesh_nodes[1:]:
        wait_until(lambda: any(other.macs[0] in line for line in n1.ssh.run_check("batctl n")),
                   30, 1.0, f"batctl n on n1 to list {other.name}")


def test_babeld_learns_every_node(mesh_nodes):
    n1 = mesh_nodes[0]
    for other in mesh_nodes[1:]:
        prefix = f"prefix 10.14.0.{other.index}/32 "
        wait_until(lambda: any(line.startswith("add route") and prefix in line
                               for line in n1.ssh.run_check("echo dump | nc ::1 33123")),
                   60, 1.0, f"babeld on n1 to learn {other.name}'s address")


def test_cutting_the_direct_link_moves_traffic_through_the_third_node(vmesh_run, mesh_nodes):
    n1, n2, n3 = mesh_nodes[:3]
    wait_until(lambda: best_next_hop(n1, n3, mesh_nodes) is n3, 60, 1.0,
               "n1 to route to n3 directly")
    vmesh_run.link_set("n1", "n3", loss=1.0)  # n1 and n3 stop hearing each other
    try:
        moved_s = wait_until(lambda: best_next_hop(n1, n3, mesh_nodes) is n2, 60, 1.0,
                             "n1's route to n3 to go through n2")
        wait_until(lambda: pings(n1, n3), 30, 0.5, "n1 to ping n3 through n2")
        print(f"route n1 -> n3 moved to n2 {moved_s:.1f} s after the cut")
    finally:
        vmesh_run.link_set("n1", "n3", loss=0)
    wait_until(lambda: best_next_hop(n1, n3, mesh_nodes) is n3, 60, 1.0,
               "n1 to route to n3 directly again")
