"""The relay of a running mesh: restarted on its ports (every node comes back, the mesh
carries traffic again) and a capture started and stopped mid-test."""
import pytest

from vmesh_pytest import wait_until

pytestmark = pytest.mark.vmesh_topology("topologies/line3.toml")

DEADLINE_S = 60
PCAPNG_SECTION_HEADER = bytes.fromhex("0a0d0d0a")


def test_relay_restart_keeps_the_mesh(vmesh_run, line3, ping, record_property):
    n1, _, n3 = line3
    wait_until(lambda: ping(n1, n3), 30, 0.5, "n1 to ping n3 before the restart")
    before = vmesh_run.status()["relay"]["pid"]
    result = vmesh_run.relay_restart(down_for=1.0)
    assert result["all_reconnected"], result
    assert result["down_s"] >= 1.0, result
    assert vmesh_run.status()["relay"]["pid"] != before
    again_s = wait_until(lambda: ping(n1, n3), DEADLINE_S, 0.5, "n1 to ping n3 after the restart")
    record_property("relay_reconnected_s", round(result["reconnected_s"], 2))
    print(f"relay down {result['down_s']:.2f} s, nodes bound again after "
          f"{result['reconnected_s']:.2f} s, n1->n3 pings {again_s:.1f} s later")


def test_capture_started_and_stopped_mid_test(vmesh_run, line3, ping, tmp_path):
    n1, n2, _ = line3
    path = tmp_path / "mid-test.pcapng"
    with vmesh_run.capture(path) as capture:
        wait_until(lambda: ping(n1, n2), 30, 0.5, "n1 to ping n2 while capturing")
    totals = capture.result
    assert totals["path"] == str(path)
    assert totals["packets"] > 0, totals
    data = path.read_bytes()
    assert data[:4] == PCAPNG_SECTION_HEADER, f"{path} is not pcapng: {data[:16]!r}"
    # Stopped: the file no longer grows while the mesh keeps talking.
    size = len(data)
    assert ping(n1, n2)
    assert path.stat().st_size == size
