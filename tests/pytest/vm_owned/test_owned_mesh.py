"""The plugin starts the mesh itself, as the LibreMesh suite's conftest does with
LG_VIRTUAL_MESH=1 and VIRTUAL_MESH_NODES=2 (run_owned_suite.sh sets them): two nodes of the
default topology, SSH ports from VIRTUAL_MESH_SSH_BASE_PORT, started with --ssh-key-only
(--vmesh-up-arg). The run's PIDs are written to
$VMESH_TEST_PIDS_FILE so the driver can check that the plugin's teardown left no VM."""
import json
import os
import subprocess

from vmesh_pytest import wait_until


def test_plugin_started_the_mesh_the_environment_asked_for(mesh_nodes, vmesh_run):
    assert [node.name for node in mesh_nodes] == ["n1", "n2"]
    assert [node.place for node in mesh_nodes] == ["virtual-mesh-1", "virtual-mesh-2"]
    base_port = int(os.environ["VIRTUAL_MESH_SSH_BASE_PORT"])
    assert all(node.port >= base_port for node in mesh_nodes), [n.port for n in mesh_nodes]
    status = vmesh_run.status()
    pids = [[status["relay"]["pid"], 0]]
    pids += [[node["pid"], node.get("pid_start_ticks", 0)] for node in status["nodes"]]
    with open(os.environ["VMESH_TEST_PIDS_FILE"], "w", encoding="utf-8") as handle:
        json.dump(pids, handle)
    assert all(node["running"] for node in status["nodes"]), status["nodes"]


def test_router_suite_shape(mesh_nodes):
    n1, n2 = mesh_nodes
    assert n1.ssh.run_check("echo hello") == ["hello"]
    out, err, rc = n1.ssh.run("exit 3")
    assert (out, rc) == ([], 3)
    wait_until(lambda: n1.ssh.run(f"ping -c 1 -W 2 {n2.mesh_ip}")[2] == 0, 60, 0.5,
               "n1 to ping n2")


def test_key_only_refuses_the_empty_password_and_the_run_key_gets_in(mesh_nodes):
    node = mesh_nodes[0]
    argv = ["ssh", "-F", "/dev/null", "-o", "IdentityAgent=none", "-o", "PubkeyAuthentication=no",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10", "-p", str(node.port), f"root@{node.host}", "true"]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 255, f"keyless login was not refused: exit {done.returncode}"
    assert "Permission denied" in done.stderr, done.stderr
    assert node.ssh_key, "nodes.json names no ssh_key"
    assert node.ssh.run_check("whoami") == ["root"]  # the plugin logs in with ssh_key
