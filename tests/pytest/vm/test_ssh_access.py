"""A router test suite's plain ssh: no key, no agent, no config, as root with the empty
password the guest accepts (dropbear -B), like a freshly flashed router."""
import os
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


def test_user_keys_are_authorised_next_to_the_run_key(mesh_nodes):
    """~/.ssh/id_*.pub and --authorized-keys files (run_vm_suite.sh names them in
    VMESH_TEST_USER_KEYS) are in root's authorized_keys on every node, after the run key."""
    files = os.environ.get("VMESH_TEST_USER_KEYS", "").split()
    if not files:
        pytest.skip("VMESH_TEST_USER_KEYS not set (run_vm_suite.sh sets it)")
    wanted = [open(path, encoding="utf-8").read().strip() for path in files]
    for node in mesh_nodes:
        lines = node.ssh.run_check("cat /root/.ssh/authorized_keys")
        assert len(lines) == 1 + len(wanted), lines
        assert lines[1:] == wanted, f"{node.name}: {lines}"
