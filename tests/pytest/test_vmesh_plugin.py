"""Unit tests of the vmesh pytest plugin: small suites run with pytester against a fake
`vmesh` and a fake `ssh` (tests/pytest/fake_tools.py). Run with
  /usr/bin/python3 -m pytest -p pytester tests/pytest/test_vmesh_plugin.py
"""
import os
import pathlib
import signal

import pytest

import fake_tools

PLUGIN_DIR = pathlib.Path(__file__).resolve().parents[2] / "launcher" / "pytest"
REPO_ROOT = PLUGIN_DIR.parent.parent

ENV_CLEARED = ("VMESH_NODES_FILE", "VMESH_RUN", "VMESH_RUN_DIR", "VMESH_SSH_KEY", "VMESH_BIN",
               "LG_VIRTUAL_MESH", "PYTEST_ADDOPTS")


class Fakes:
    """Paths and helpers of one test's fake world."""

    def __init__(self, pytester, monkeypatch, tmp_path):
        self.pytester = pytester
        self.root = tmp_path / "fakes"
        self.bin_dir = fake_tools.install(self.root)
        self.log = self.root / "calls.jsonl"
        self.run_dir = self.root / "run" / "lab"
        self.key = str(self.root / "id_ed25519")
        self.nodes_file = fake_tools.write_nodes(self.run_dir, ssh_key=self.key)
        for name in ENV_CLEARED:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("PATH", f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("PYTHONPATH", str(PLUGIN_DIR))
        monkeypatch.setenv("FAKE_LOG", str(self.log))
        monkeypatch.setenv("FAKE_RUN_DIR", str(self.run_dir))
        self.monkeypatch = monkeypatch

    def calls(self, tool=None):
        calls = fake_tools.read_log(self.log)
        return [c for c in calls if tool is None or c[0] == tool]

    def verbs(self):
        return [c[1] for c in self.calls("vmesh")]

    def attach(self, run_name="lab"):
        self.monkeypatch.setenv("VMESH_NODES_FILE", str(self.nodes_file))
        if run_name:
            self.monkeypatch.setenv("VMESH_RUN", run_name)

    def run(self, source, *args):
        self.pytester.makepyfile(test_suite=source)
        return self.pytester.runpytest_subprocess("-p", "vmesh_pytest", "-rsx", *args)


@pytest.fixture
def fakes(pytester, monkeypatch, tmp_path):
    return Fakes(pytester, monkeypatch, tmp_path)


NODES_SUITE = """
def test_nodes(mesh_nodes, vmesh_run):
    assert [n.name for n in mesh_nodes] == ["n1", "n2", "n3"]
    n2 = mesh_nodes[1]
    assert (n2.index, n2.place, n2.mesh_ip, n2.host, n2.port, n2.mac_prefix) == (
        2, "virtual-mesh-2", "10.13.0.2", "127.0.0.1", 2223, "02:00:00:00:02")
    assert vmesh_run.nodes is mesh_nodes
    assert vmesh_run.node("n3") is mesh_nodes[2]
    print("RUN-NAME", vmesh_run.name)
"""


def test_attach_by_nodes_file_never_starts_or_stops(fakes):
    fakes.attach("lab")
    result = fakes.run(NODES_SUITE + """
def test_link(vmesh_run):
    vmesh_run.link_set("n1", "n2", loss=0.5)
""", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*RUN-NAME lab*"])
    assert fakes.verbs() == ["link"]
    assert fakes.calls("vmesh")[0][-2:] == ["--name", "lab"]


def test_attach_derives_the_run_name_from_the_nodes_file_directory(fakes):
    fakes.attach(run_name=None)
    result = fakes.run(NODES_SUITE, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*RUN-NAME lab*"])
    assert fakes.verbs() == []


def test_attach_by_run_name_reads_the_run_dir_from_status(fakes):
    result = fakes.run(NODES_SUITE, "--vmesh-run", "lab", "--vmesh-bin",
                       str(fakes.bin_dir / "vmesh"))
    result.assert_outcomes(passed=1)
    assert fakes.calls("vmesh") == [["vmesh", "status", "--name", "lab", "--json"]]


TWO_TESTS_ONE_FAILS = """
def test_ok(mesh_nodes):
    assert len(mesh_nodes) == 3

def test_fails(mesh_nodes):
    assert False, "on purpose"
"""


def _up_and_down(fakes):
    vmesh = fakes.calls("vmesh")
    ups = [c for c in vmesh if c[1] == "up"]
    downs = [c for c in vmesh if c[1] == "down"]
    return ups, downs


def test_topology_option_starts_once_and_stops_once_even_when_a_test_fails(fakes):
    topology = fakes.root / "line3.toml"
    topology.write_text("# fake\n")
    result = fakes.run(TWO_TESTS_ONE_FAILS, "--vmesh-topology", str(topology),
                       "--vmesh-timeout", "300")
    result.assert_outcomes(passed=1, failed=1)
    ups, downs = _up_and_down(fakes)
    assert len(ups) == 1 and len(downs) == 1
    name = ups[0][ups[0].index("--name") + 1]
    assert name.startswith("pytest-")
    assert ups[0][:3] == ["vmesh", "up", str(topology)]
    assert ups[0][-2:] == ["--timeout", "300s"]
    assert downs[0] == ["vmesh", "down", "--name", name]
    assert fakes.verbs() == ["up", "status", "down"]


def test_marker_topology_and_keep(fakes):
    (fakes.pytester.path / "mesh.toml").write_text("# fake\n")
    result = fakes.run("""
import pytest

@pytest.mark.vmesh_topology("mesh.toml")
def test_a(mesh_nodes):
    pass

@pytest.mark.vmesh_topology("mesh.toml")
def test_b(vmesh_run):
    pass
""", "--vmesh-keep")
    result.assert_outcomes(passed=2)
    ups, downs = _up_and_down(fakes)
    assert [u[2] for u in ups] == [str(fakes.pytester.path / "mesh.toml")]
    assert downs == []
    result.stdout.fnmatch_lines(["*left running*vmesh down --name pytest-*"])


def test_markers_that_disagree_are_a_usage_error_naming_both(fakes):
    result = fakes.run("""
import pytest

@pytest.mark.vmesh_topology("one.toml")
def test_a(mesh_nodes):
    pass

@pytest.mark.vmesh_topology("two.toml")
def test_b(mesh_nodes):
    pass
""")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*different topologies*one.toml*test_a*two.toml*test_b*"])
    assert fakes.calls() == []


def test_lg_virtual_mesh_uses_the_default_topology(fakes):
    fakes.monkeypatch.setenv("LG_VIRTUAL_MESH", "1")
    result = fakes.run(NODES_SUITE)
    result.assert_outcomes(passed=1)
    ups, downs = _up_and_down(fakes)
    assert [u[2] for u in ups] == [str(REPO_ROOT / "topologies" / "line3.toml")]
    assert len(downs) == 1


def test_failed_up_errors_every_test_once_and_still_runs_down(fakes):
    fakes.monkeypatch.setenv("FAKE_VMESH_FAIL", "up")
    fakes.monkeypatch.setenv("FAKE_VMESH_FAIL_RC", "1")
    result = fakes.run(TWO_TESTS_ONE_FAILS + """
def test_without_mesh():
    pass
""", "--vmesh-topology", "x.toml")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*VmeshError*up*x.toml*exit code 1*",
                                 "*vmesh: up went wrong: relay refused it*"])
    assert fakes.verbs() == ["up", "down"]


def test_sigterm_during_a_test_still_stops_the_mesh(fakes):
    result = fakes.run(f"""
import os, signal

def test_terminated(mesh_nodes):
    os.kill(os.getpid(), {int(signal.SIGTERM)})

def test_never_reached(mesh_nodes):
    pass
""", "--vmesh-topology", "x.toml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert fakes.verbs() == ["up", "status", "down"]


def test_no_mesh_source_skips_with_the_ways_to_give_one(fakes):
    result = fakes.run(NODES_SUITE)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*no vmesh mesh*--vmesh-topology*--vmesh-run*"])
    assert fakes.calls() == []


def test_link_set_argv(fakes):
    fakes.attach()
    result = fakes.run("""
def test_links(vmesh_run):
    vmesh_run.link_set("n1", "n2", loss=1.0)
    vmesh_run.link_set("n1", "n2", loss=0, delay=0.02, jitter="5ms", oneway=True)
    vmesh_run.link_set("n2", "n3", delay=0.0005, rate=2e6, signal=-70)
""")
    result.assert_outcomes(passed=1)
    assert [c[1:] for c in fakes.calls("vmesh")] == [
        ["link", "set", "n1", "n2", "loss=1.0", "--name", "lab"],
        ["link", "set", "n1", "n2", "loss=0.0", "delay=20ms", "jitter=5ms", "oneway",
         "--name", "lab"],
        ["link", "set", "n2", "n3", "delay=500us", "rate=2000000bps", "signal=-70",
         "--name", "lab"],
    ]


def test_cli_failure_raises_vmesh_error_with_command_code_and_stderr(fakes):
    fakes.attach()
    fakes.monkeypatch.setenv("FAKE_VMESH_FAIL", "link")
    result = fakes.run("""
import pytest
from vmesh_pytest import VmeshError

def test_refused(vmesh_run):
    with pytest.raises(VmeshError) as caught:
        vmesh_run.link_set("n1", "n9", loss=0.1)
    error = caught.value
    assert error.returncode == 2
    assert error.argv[1:] == ["link", "set", "n1", "n9", "loss=0.1", "--name", "lab"]
    assert "relay refused it" in error.stderr
    assert "link set n1 n9 loss=0.1 --name lab: exit code 2" in str(error)
""")
    result.assert_outcomes(passed=1)


def test_ssh_run_and_run_check(fakes):
    fakes.attach()
    result = fakes.run("""
import pytest
from vmesh_pytest import SshCommandError

def test_run(mesh_nodes):
    n2 = mesh_nodes[1]
    out, err, rc = n2.ssh.run("echo hi")
    assert (out, err, rc) == (["port 2223: echo hi", "second line"], ["a warning"], 0)
    assert n2.ssh.run_check(["echo", "two words"]) == ["port 2223: echo 'two words'",
                                                      "second line"]
    out, err, rc = n2.ssh.run("fail now")
    assert (out, err, rc) == ([], ["boom on port 2223"], 3)
    with pytest.raises(AssertionError) as caught:
        n2.ssh.run_check("fail again")
    assert isinstance(caught.value, SshCommandError)
    text = str(caught.value)
    assert "n2" in text and "fail again" in text and "exited 3" in text and "boom" in text
    out, err, rc = n2.ssh.run("sleep 5", timeout=0.5)
    assert rc == 124 and "timed out" in err[-1]
""")
    result.assert_outcomes(passed=1)
    argv = fakes.calls("ssh")[0]
    port = argv.index("-p")
    assert argv[port + 1] == "2223"
    options = [argv[i + 1] for i, word in enumerate(argv) if word == "-o"]
    for wanted in ("StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR",
                   "BatchMode=yes", "IdentitiesOnly=yes", "ControlMaster=auto",
                   "ControlPersist=60"):
        assert wanted in options
    assert any(o.startswith("ConnectTimeout=") for o in options)
    assert any(o.startswith("ControlPath=") for o in options)
    assert argv[argv.index("-i") + 1] == fakes.key
    assert argv[-2:] == ["root@127.0.0.1", "echo hi"]


def test_ssh_without_a_key_in_the_node_list_passes_no_identity(fakes):
    fake_tools.write_nodes(fakes.run_dir)  # no ssh_key
    fakes.attach()
    result = fakes.run("""
def test_run(mesh_nodes):
    mesh_nodes[0].ssh.run_check("true")
""")
    result.assert_outcomes(passed=1)
    argv = fakes.calls("ssh")[0]
    assert "-i" not in argv and "IdentitiesOnly=yes" not in argv


def test_node_kill_start_relay_restart_capture_stats_status(fakes):
    fakes.attach()
    result = fakes.run("""
def test_verbs(vmesh_run, tmp_path):
    n3 = vmesh_run.node("n3")
    n3.ssh.run_check("uptime")          # opens the shared connection
    vmesh_run.node_kill("n3")
    assert vmesh_run.node_start("n3") == 12.5
    assert vmesh_run.relay_restart() == {"down_s": 0.5, "reconnected_s": 2.0,
                                         "all_reconnected": True}
    vmesh_run.relay_restart(down_for=2)
    with vmesh_run.capture(tmp_path / "cap.pcapng") as capture:
        pass
    assert capture.result == {"path": "/tmp/x.pcapng", "packets": 42, "dropped": 0}
    again = vmesh_run.capture("b.pcapng")
    assert again.stop()["packets"] == 42
    assert vmesh_run.stats()["links"][0]["delivered"] == 9
    assert vmesh_run.status()["name"] == "lab"
""")
    result.assert_outcomes(passed=1)
    calls = [c[1:] for c in fakes.calls() if c[0] == "vmesh"]
    assert calls[0] == ["node", "kill", "n3", "--name", "lab"]
    assert calls[1] == ["node", "start", "n3", "--name", "lab", "--timeout", "300s", "--json"]
    assert calls[2] == ["relay", "restart", "--name", "lab", "--down-for", "500ms", "--json"]
    assert calls[3] == ["relay", "restart", "--name", "lab", "--down-for", "2000ms", "--json"]
    assert calls[4][:2] == ["capture", "start"]
    assert calls[4][2].endswith("cap.pcapng") and calls[4][3:] == ["--name", "lab"]
    assert calls[5] == ["capture", "stop", "--name", "lab"]
    assert calls[6] == ["capture", "start", "b.pcapng", "--name", "lab"]
    assert calls[7] == ["capture", "stop", "--name", "lab"]
    assert calls[8] == ["stats", "--name", "lab"]
    assert calls[9] == ["status", "--name", "lab", "--json"]
    # The killed node's shared connection was dropped: `ssh -O exit` after the kill.
    order = [c[0] if c[0] == "ssh" and "-O" not in c else ("ssh -O" if c[0] == "ssh" else c[1])
             for c in fakes.calls()]
    assert order[:3] == ["ssh", "node", "ssh -O"]


def test_a_node_booted_again_is_read_back_from_the_node_list(fakes):
    fakes.attach()
    fakes.monkeypatch.setenv("FAKE_NODES_FILE", str(fakes.nodes_file))
    result = fakes.run("""
def test_moved(vmesh_run):
    n3 = vmesh_run.node("n3")
    assert n3.port == 2224
    vmesh_run.node_kill("n3")
    vmesh_run.node_start("n3")
    assert (n3.port, n3.raw["port"]) == (2324, 2324)
    assert n3.ssh.run_check("true")[0] == "port 2324: true"
""")
    result.assert_outcomes(passed=1)
