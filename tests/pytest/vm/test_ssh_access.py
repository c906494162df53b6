"""A router test suite's plain ssh: no key, no agent, no config, as root with the empty
password the guest accepts (dropbear -B), like a freshly flashed router."""
import subprocess

import pytest

pytestmark = pytest.mark.vmesh_topology("topologies/line3.toml")


def test_root_login_without_any_key(mesh_nodes):
    node = mesh_nodes[0]
    argv = ["ssh", "-F", "/dev/null", "-o", "IdentityAgent=none",
            "-o", "PubkeyAuthentication=no",  # none of the user's keys can be what lets it in
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10", "-p", str(node.port), f"root@{node.host}", "whoami"]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, f"{' '.join(argv)}: exit {done.returncode}: {done.stderr}"
    assert done.stdout.strip() == "root"
