"""What router test suites run on a node over SSH, against the default guest profile
(802.11s + batman-adv in br-lan, babeld on the mesh interface, local interface
[::1]:33123)."""
import re

import pytest

from vmesh_pytest import wait_until

pytestmark = pytest.mark.vmesh_topology("topologies/line3.toml")


def test_echo(mesh_nodes):
    for node in mesh_nodes:
        assert node.ssh.run_check("echo hello") == ["hello"]


def test_babeld_runs(line3):
    n1 = line3[0]
    pids = n1.ssh.run_check("pgrep -x babeld")
    assert len(pids) == 1 and pids[0].isdigit(), pids
    # babeld writes its pid file where routers keep it; its state file only appears when it
    # exits (read back and removed by the next start), so the pid file is what to check.
    assert n1.ssh.run_check("cat /var/run/babeld.pid") == pids
    n1.ssh.run_check('kill -0 "$(cat /var/run/babeld.pid)" && test -d /var/run/babeld')


def test_babeld_local_interface_dumps_a_route(line3):
    n1, n2, _ = line3
    dump = []
    route = re.compile(rf"^add route .*prefix 10\.14\.0\.{n2.index}/32 ")

    def has_route():
        out, _, rc = n1.ssh.run("echo dump | nc ::1 33123", timeout=20)
        dump[:] = out
        return rc == 0 and any(route.match(line) for line in out)

    took = wait_until(has_route, 60, 1.0, "babeld on n1 to learn n2's 10.14.0.2/32")
    print(f"babeld route to n2 present after {took:.1f} s")
    assert any(line.startswith("BABEL ") for line in dump), dump[:3]


def test_ip_neigh_after_ping(line3, ping):
    n1, n2, _ = line3
    wait_until(lambda: ping(n1, n2), 30, 0.5, "n1 to ping n2")
    neigh = n1.ssh.run_check("ip neigh")
    assert neigh, "ip neigh printed nothing"
    assert any(line.startswith(f"{n2.mesh_ip} ") for line in neigh), neigh


def test_batctl_neighbours(line3):
    n1, n2, n3 = line3

    def lists_n2():
        out, _, rc = n1.ssh.run("batctl n")
        return rc == 0 and any(n2.macs[0] in line.lower() for line in out)

    wait_until(lists_n2, 30, 1.0, "batctl n on n1 to list n2")
    out = n1.ssh.run_check("batctl n")
    assert not any(n3.macs[0] in line.lower() for line in out), f"n1 hears n3: {out}"


def test_batctl_originators(line3):
    n1, n2, n3 = line3
    best_via_n2 = re.compile(rf"^\s*\*\s*{n3.macs[0]}\s.*{n2.macs[0]}", re.I)

    def n3_via_n2():
        out, _, rc = n1.ssh.run("batctl o")
        return rc == 0 and any(best_via_n2.match(line) for line in out)

    wait_until(n3_via_n2, 30, 1.0, "batctl o on n1: best route to n3 through n2")
    out = n1.ssh.run_check("batctl o")
    assert any(n2.macs[0] in line.lower() for line in out), out
