"""pytest plugin: router test suites against a vmesh mesh of QEMU nodes.

Load with `-p vmesh_pytest` (launcher/pytest on PYTHONPATH) or `pytest_plugins =
["vmesh_pytest"]` in a conftest.py. Fixtures: `mesh_nodes` (the nodes, each with .ssh) and
`vmesh_run` (the running mesh: change links, kill and boot nodes, restart the relay,
capture, counters). Where the mesh comes from, first match wins:

1. VMESH_NODES_FILE (and VMESH_RUN) in the environment, as `vmesh run TOPO -- pytest` sets:
   attach;
2. --vmesh-run NAME: attach to a mesh started by `vmesh up --name NAME`;
3. a topology: --vmesh-topology, else @pytest.mark.vmesh_topology(PATH) (all marked tests
   must name the same file), else topologies/line3.toml when LG_VIRTUAL_MESH=1. The plugin
   runs `vmesh up` once for the session and `vmesh down` at its end (unless --vmesh-keep).

The plugin never stops a mesh it attached to. docs/pytest.md has the whole story.
"""
import atexit
import os
import pathlib
import shutil
import signal
import sys
import tempfile
import time

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # the helper modules beside this file
    sys.path.insert(0, _HERE)

from vmesh_pytest_cli import REPO_ROOT, Vmesh, VmeshError, VmeshRun, default_run_dir  # noqa: E402
from vmesh_pytest_ssh import MeshNode, SshCommandError, load_nodes  # noqa: E402

__all__ = ["MeshNode", "SshCommandError", "VmeshError", "VmeshRun", "WaitTimeout", "wait_until"]

DEFAULT_TOPOLOGY = REPO_ROOT / "topologies" / "line3.toml"
NO_MESH_REASON = (
    "no vmesh mesh to test against: pass --vmesh-topology FILE, mark the tests "
    "@pytest.mark.vmesh_topology(FILE), attach with --vmesh-run NAME to a `vmesh up --name "
    "NAME`, run under `vmesh run TOPOLOGY -- pytest ...`, or set LG_VIRTUAL_MESH=1 for "
    f"{DEFAULT_TOPOLOGY.relative_to(REPO_ROOT)}")


class WaitTimeout(AssertionError):
    """wait_until: the predicate did not hold in time."""


def wait_until(predicate, timeout_s=60.0, interval_s=0.5, what=None):
    """Calls predicate() every interval_s seconds until it returns something true; returns
    the seconds that took. Raises WaitTimeout (an AssertionError) naming `what` and the last
    value after timeout_s. Exceptions from predicate propagate."""
    start = time.monotonic()
    deadline = start + timeout_s
    while True:
        value = predicate()
        now = time.monotonic()
        if value:
            return now - start
        if now >= deadline:
            label = what or getattr(predicate, "__name__", "condition")
            raise WaitTimeout(f"timed out after {now - start:.1f} s waiting for {label} "
                              f"(last result: {value!r})")
        time.sleep(max(0.0, min(interval_s, deadline - now)))


# --- options, marker ----------------------------------------------------------------------

def pytest_addoption(parser):
    group = parser.getgroup("vmesh", "virtual WiFi mesh (vmesh)")
    group.addoption("--vmesh-topology", metavar="PATH",
                    help="start this topology with `vmesh up` for the session")
    group.addoption("--vmesh-run", metavar="NAME",
                    help="attach to a mesh started by `vmesh up --name NAME`")
    group.addoption("--vmesh-bin", metavar="PATH",
                    help="the vmesh executable (default: $VMESH_BIN, vmesh on PATH, "
                         "<repo>/build/launcher/vmesh)")
    group.addoption("--vmesh-timeout", metavar="SECONDS", type=float, default=900.0,
                    help="bound for `vmesh up` (default 900)")
    group.addoption("--vmesh-up-arg", metavar="ARG", action="append", default=[],
                    help="one more argument for the `vmesh up` this session runs (repeat: "
                         "--vmesh-up-arg=--capture --vmesh-up-arg=run.pcapng, "
                         "--vmesh-up-arg=--ssh-key-only)")
    group.addoption("--vmesh-keep", action="store_true",
                    help="leave a mesh this session started running (stop it with vmesh down)")


_SOURCE = pytest.StashKey()
_MANAGER = pytest.StashKey()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "vmesh_topology(path): the vmesh topology file this test needs (relative "
        "to the test's file, the rootdir or the vmesh repository)")
    config.stash[_MANAGER] = _SessionMesh(config)


class MeshSource:
    """Where the session's mesh comes from: kind is "env", "run", "topology" or None."""

    def __init__(self, kind, why, run=None, nodes_file=None, topology=None):
        self.kind = kind
        self.why = why
        self.run = run
        self.nodes_file = nodes_file
        self.topology = topology


def _marker_path(item, text):
    path = pathlib.Path(text)
    if path.is_absolute():
        return path.resolve()
    bases = [pathlib.Path(item.path).parent, pathlib.Path(item.config.rootpath), REPO_ROOT]
    for base in bases:
        if (base / path).exists():
            return (base / path).resolve()
    return (bases[0] / path).resolve()


def resolve_source(config, items, environ=None):
    environ = os.environ if environ is None else environ
    nodes_file = environ.get("VMESH_NODES_FILE")
    if nodes_file:
        run = environ.get("VMESH_RUN") or pathlib.Path(nodes_file).resolve().parent.name
        return MeshSource("env", "VMESH_NODES_FILE", run=run, nodes_file=nodes_file)
    if config.getoption("vmesh_run"):
        return MeshSource("run", "--vmesh-run", run=config.getoption("vmesh_run"))
    if config.getoption("vmesh_topology"):
        return MeshSource("topology", "--vmesh-topology",
                          topology=pathlib.Path(config.getoption("vmesh_topology")).resolve())
    wanted = {}
    for item in items:
        mark = item.get_closest_marker("vmesh_topology")
        if mark is None:
            continue
        if len(mark.args) != 1 or not isinstance(mark.args[0], (str, os.PathLike)):
            raise pytest.UsageError(
                f"{item.nodeid}: vmesh_topology takes one path, got {mark.args!r}")
        wanted.setdefault(_marker_path(item, os.fspath(mark.args[0])), item.nodeid)
    if len(wanted) > 1:
        named = "; ".join(f"{path} (by {nodeid})" for path, nodeid in wanted.items())
        raise pytest.UsageError(
            "vmesh: the tests of this session want different topologies, but a session runs "
            f"one mesh: {named}. Run them in separate sessions, or choose one with "
            "--vmesh-topology.")
    if wanted:
        return MeshSource("topology", "vmesh_topology marker", topology=next(iter(wanted)))
    if environ.get("LG_VIRTUAL_MESH") == "1":
        return MeshSource("topology", "LG_VIRTUAL_MESH=1", topology=DEFAULT_TOPOLOGY)
    return MeshSource(None, "none")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    session.config.stash[_SOURCE] = resolve_source(session.config, session.items)


# --- the session's mesh --------------------------------------------------------------------

class _SessionMesh:
    """Attaches to or starts the session's mesh on first use; stops only what it started."""

    def __init__(self, config):
        self.config = config
        self.run = None
        self.failure = None
        self.control_dir = None
        self.up_name = None
        self.down_done = False
        self.saved_handlers = {}
        self.deferred_signal = None

    def _say(self, text):
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        capman = self.config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            sys.stderr.write(f"vmesh: {text}\n")
            return
        if capman is not None:
            with capman.global_and_fixture_disabled():
                reporter.write_line(f"vmesh: {text}")
        else:
            reporter.write_line(f"vmesh: {text}")

    def get(self):
        if self.run is not None:
            return self.run
        if self.failure is not None:
            raise self.failure
        source = self.config.stash.get(_SOURCE, None) or resolve_source(self.config, [])
        if source.kind is None:
            pytest.skip(NO_MESH_REASON)
        try:
            self.run = self._open(source)
        except BaseException as error:
            if isinstance(error, Exception):
                self.failure = error
            raise
        return self.run

    def _private_dir(self):
        base = tempfile.gettempdir()
        if len(base) > 40 and os.path.isdir("/tmp"):
            base = "/tmp"  # the socket paths must stay short
        self.control_dir = tempfile.mkdtemp(prefix="vmesh-ssh-", dir=base)
        return self.control_dir

    def _open(self, source):
        vmesh = Vmesh(self.config.getoption("vmesh_bin"))
        key = os.environ.get("VMESH_SSH_KEY")
        if source.kind == "env":
            nodes = load_nodes(source.nodes_file, self._private_dir(), key)
            return VmeshRun(vmesh, source.run, nodes,
                            os.environ.get("VMESH_RUN_DIR") or os.path.dirname(source.nodes_file),
                            source.nodes_file)
        if source.kind == "run":
            return self._attach_by_name(vmesh, source.run, key)
        timeout_s = self.config.getoption("vmesh_timeout")
        name = f"pytest-{os.getpid()}"
        vmesh.bin  # noqa: B018 - a missing executable is said before anything starts
        self._say(f"starting {source.topology} ({source.why}) as run {name} (vmesh up)")
        self._install_safety_net()
        self.up_name = name
        self.down_done = False
        started = time.monotonic()
        vmesh.call(["up", str(source.topology), "--name", name, "--timeout", f"{int(timeout_s)}s"]
                   + list(self.config.getoption("vmesh_up_arg")),
                   timeout_s=timeout_s + 120, grace_s=120)
        self._say(f"mesh {name} up after {time.monotonic() - started:.1f} s")
        return self._attach_by_name(vmesh, name, key)

    def _attach_by_name(self, vmesh, name, key):
        status = vmesh.call_json(["status", "--name", name, "--json"])
        run_dir = status.get("dir") or str(default_run_dir(name))
        nodes_file = os.path.join(run_dir, "nodes.json")
        nodes = load_nodes(nodes_file, self._private_dir(), status.get("ssh_key") or key)
        return VmeshRun(vmesh, name, nodes, run_dir, nodes_file)

    # Safety net for a session that ends without its finalizers: SIGTERM/SIGHUP become
    # KeyboardInterrupt (pytest then tears down), and atexit stops a mesh still up.
    def _install_safety_net(self):
        if not self.saved_handlers:
            atexit.register(self._at_exit)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                if signal.getsignal(sig) == signal.SIG_DFL:
                    self.saved_handlers[sig] = signal.signal(sig, _raise_interrupt)
            except ValueError:  # not the main thread
                pass

    def _restore_handlers(self):
        for sig, handler in self.saved_handlers.items():
            signal.signal(sig, handler)

    def _defer(self, sig, _frame):
        self.deferred_signal = sig

    def teardown(self):
        run, self.run = self.run, None
        if run is not None:
            for node in run.nodes:
                node.ssh.drop_connection()
        if self.control_dir:
            shutil.rmtree(self.control_dir, ignore_errors=True)
            self.control_dir = None
        if self.up_name is None or self.down_done:
            return
        if self.config.getoption("vmesh_keep"):
            self.down_done = True
            self._say(f"--vmesh-keep: mesh {self.up_name} left running; "
                      f"stop it with: vmesh down --name {self.up_name}")
            return
        try:
            for sig in self.saved_handlers:
                signal.signal(sig, self._defer)  # a handler, not SIG_IGN: children reset it
        except ValueError:
            pass
        try:
            self._down(raise_errors=run is not None)
        finally:
            self._restore_handlers()
            if self.deferred_signal is not None:
                os.kill(os.getpid(), self.deferred_signal)

    def _down(self, raise_errors):
        self.down_done = True
        vmesh = Vmesh(self.config.getoption("vmesh_bin"))
        try:
            vmesh.call(["down", "--name", self.up_name], timeout_s=180)
        except VmeshError as error:
            if raise_errors:
                raise
            self._say(f"vmesh down after a failed start: {error}")

    def _at_exit(self):
        if self.up_name is None or self.down_done or self.config.getoption("vmesh_keep"):
            return
        sys.stderr.write(f"vmesh: stopping mesh {self.up_name} at exit\n")
        try:
            self._down(raise_errors=False)
        except Exception as error:  # noqa: BLE001 - nothing left to report to
            sys.stderr.write(f"vmesh: {error}\n")


def _raise_interrupt(sig, _frame):
    raise KeyboardInterrupt(f"signal {signal.Signals(sig).name}")


@pytest.fixture(scope="session")
def vmesh_run(request):
    """The running mesh (VmeshRun): .name, .nodes, .node(name), link_set(), stats(),
    node_kill(), node_start(), relay_restart(), capture(), status()."""
    manager = request.config.stash[_MANAGER]
    request.addfinalizer(manager.teardown)
    return manager.get()


@pytest.fixture(scope="session")
def mesh_nodes(vmesh_run):
    """The mesh's nodes in index order; each has .name, .index, .place, .mesh_ip, .host,
    .port, .mac_prefix and .ssh (run, run_check)."""
    return vmesh_run.nodes


def pytest_report_header(config):
    if os.environ.get("VMESH_NODES_FILE"):
        return f"vmesh: attach to VMESH_NODES_FILE={os.environ['VMESH_NODES_FILE']}"
    if config.getoption("vmesh_run"):
        return f"vmesh: attach to run {config.getoption('vmesh_run')}"
    if config.getoption("vmesh_topology"):
        return f"vmesh: topology {config.getoption('vmesh_topology')}"
    return None
