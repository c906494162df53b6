"""Helpers shared by the real-VM suite (run by run_vm_suite.sh against line3:
n1 - n2 - n3, the ends deaf to each other)."""
import pytest


def ping_once(src, dst, wait_s=2):
    """True when one ping from node src to node dst's mesh address is answered."""
    _, _, rc = src.ssh.run(f"ping -c 1 -W {wait_s} {dst.mesh_ip}", timeout=wait_s + 20)
    return rc == 0


@pytest.fixture(scope="session")
def ping():
    return ping_once


@pytest.fixture(scope="session")
def line3(mesh_nodes):
    """n1, n2, n3 of the running line3 mesh."""
    names = [node.name for node in mesh_nodes]
    if names[:3] != ["n1", "n2", "n3"]:
        pytest.fail(f"this suite needs line3 (n1 - n2 - n3); the mesh has {names}")
    return mesh_nodes[0], mesh_nodes[1], mesh_nodes[2]
