"""The medium changed while the mesh runs: the relay's counters, a link cut and restored,
a node's power cut and its boot. Measured times are printed (pytest -rA shows them) and
recorded as test properties."""
import pytest

from vmesh_pytest import wait_until

pytestmark = pytest.mark.vmesh_topology("topologies/line3.toml")

DEADLINE_S = 60


def test_relay_counts_frames_from_n1_to_n2(vmesh_run, line3, ping):
    n1, n2, _ = line3
    wait_until(lambda: ping(n1, n2), 30, 0.5, "n1 to ping n2")
    links = vmesh_run.stats()["links"]
    n1_n2 = [link for link in links if link["from"] == "n1" and link["to"] == "n2"]
    assert n1_n2, f"no n1->n2 in the relay's stats: {links}"
    assert n1_n2[0]["delivered"] > 0, n1_n2[0]
    n1_n3 = [link for link in links if link["from"] == "n1" and link["to"] == "n3"]
    assert not n1_n3 or n1_n3[0]["delivered"] == 0, f"n3 heard n1 directly: {n1_n3[0]}"


def test_cutting_the_only_link_partitions_n1_and_restoring_it_heals(
        vmesh_run, line3, ping, record_property):
    n1, n2, n3 = line3
    wait_until(lambda: ping(n1, n2), 30, 0.5, "n1 to ping n2 before the cut")
    vmesh_run.link_set("n1", "n2", loss=1.0)
    try:
        cut_s = wait_until(lambda: not ping(n1, n2, 1), DEADLINE_S, 0.2,
                           "n1 to lose n2 after loss=1.0 on n1-n2")
        assert not ping(n1, n3, 1), "n1 still reaches n3 with its only link cut"
    finally:
        vmesh_run.link_set("n1", "n2", loss=0)
    healed_s = wait_until(lambda: ping(n1, n2), DEADLINE_S, 0.5,
                          "n1 to ping n2 again after loss=0")
    via_s = wait_until(lambda: ping(n1, n3), DEADLINE_S, 0.5, "n1 to ping n3 through n2 again")
    record_property("cut_detected_s", round(cut_s, 2))
    record_property("healed_s", round(healed_s, 2))
    print(f"link n1-n2 cut: ping failed after {cut_s:.1f} s; restored: n1->n2 after "
          f"{healed_s:.1f} s, n1->n3 {via_s:.1f} s later")


def test_power_cut_and_boot_of_n3(vmesh_run, line3, ping, record_property):
    _, n2, n3 = line3
    wait_until(lambda: ping(n2, n3), 30, 0.5, "n2 to ping n3 before the power cut")
    vmesh_run.node_kill("n3")
    booted = False
    try:
        lost_s = wait_until(lambda: not ping(n2, n3, 1), DEADLINE_S, 0.2,
                            "n2 to lose n3 after its power cut")
        boot_s = vmesh_run.node_start("n3")
        booted = True
    finally:
        if not booted:
            vmesh_run.node_start("n3")  # leave the mesh whole for whatever runs next
    assert boot_s > 0
    assert n3.ssh.run_check("echo back") == ["back"]
    reach_s = wait_until(lambda: ping(n2, n3), 120, 0.5, "n2 to ping n3 after its boot")
    record_property("n3_boot_s", round(boot_s, 2))
    record_property("n3_reachable_after_boot_s", round(reach_s, 2))
    print(f"n3 killed: n2 lost it after {lost_s:.1f} s; booted again in {boot_s:.1f} s; "
          f"n2 reached it {reach_s:.1f} s after SSH answered")
