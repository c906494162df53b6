"""The vmesh command line as Python calls: VmeshError, finding the executable, the run API.

Part of the vmesh pytest plugin (vmesh_pytest.py); no third-party imports.
"""
import json
import os
import pathlib
import pwd
import shlex
import shutil
import signal
import subprocess
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD_TREE_VMESH = REPO_ROOT / "build" / "launcher" / "vmesh"


class VmeshError(Exception):
    """A vmesh command failed: the command line, its exit code (None when it did not run or
    timed out) and what it printed on stderr."""

    def __init__(self, argv, returncode, stderr, reason=None):
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr
        self.reason = reason
        detail = reason or f"exit code {returncode}"
        text = f"{shlex.join(self.argv)}: {detail}" if self.argv else detail
        if stderr.strip():
            text += "\n" + _tail(stderr, 40)
        super().__init__(text)


def _tail(text, lines):
    kept = text.rstrip("\n").splitlines()
    if len(kept) > lines:
        kept = [f"... ({len(kept) - lines} earlier lines)"] + kept[-lines:]
    return "\n".join(kept)


def find_vmesh_bin(option_value=None, environ=None):
    """--vmesh-bin, else $VMESH_BIN, else `vmesh` on PATH, else the build tree's vmesh.
    Raises VmeshError naming everything it tried."""
    environ = os.environ if environ is None else environ
    tried = []
    given = (("--vmesh-bin", option_value), ("VMESH_BIN", environ.get("VMESH_BIN")))
    for label, candidate in given:
        if not candidate:
            tried.append(f"{label} (not given)")
            continue
        if os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            return str(candidate)
        tried.append(f"{label}={candidate} (not an executable file)")
    on_path = shutil.which("vmesh", path=environ.get("PATH"))
    if on_path:
        return on_path
    tried.append("vmesh on PATH (none)")
    if os.access(BUILD_TREE_VMESH, os.X_OK):
        return str(BUILD_TREE_VMESH)
    tried.append(f"{BUILD_TREE_VMESH} (missing; build it with cmake --build build)")
    raise VmeshError([], None, "",
                     reason="vmesh executable not found; tried " + ", ".join(tried))


def default_run_dir(name, environ=None):
    """Where `vmesh up --name NAME` keeps its files (as vmesh computes it)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_RUNTIME_DIR") or "/tmp"
    return pathlib.Path(base) / f"vmesh-{pwd.getpwuid(os.getuid()).pw_name}" / name


def _stop_gently(proc, grace_s):
    """Interrupt the child as Ctrl-C would, so a vmesh up/start unwinds and stops what it
    started; SIGTERM, then SIGKILL if it does not exit."""
    for sig, wait_s in ((signal.SIGINT, grace_s), (signal.SIGTERM, 10), (signal.SIGKILL, None)):
        if proc.poll() is not None:
            return
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def run_process(argv, timeout_s, grace_s=60.0):
    """Runs argv with stdin closed; returns (stdout, stderr, returncode), returncode None on
    timeout. Output goes through files, not pipes, so a helper the child leaves behind
    (an ssh ControlPersist master) cannot hold the call open."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            returncode = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _stop_gently(proc, grace_s)
            returncode = None
        except BaseException:
            _stop_gently(proc, grace_s)
            raise
        out.seek(0)
        err.seek(0)
        return (out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                returncode)


def duration_word(value, what):
    """Seconds (int/float) or a string such as "20ms" -> the CLI's duration word."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{what}: {value!r} is not seconds (a number >= 0) or a string like '20ms'")
    us = round(value * 1_000_000)
    if us % 1000 == 0:
        return f"{us // 1000}ms"
    return f"{us}us"


def rate_word(value):
    """Bits per second (int/float) or a string such as "2mbps" -> the CLI's rate word."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"rate: {value!r} is not bits per second or a string like '2mbps'")
    return f"{round(value)}bps"


def link_words(loss=None, delay=None, jitter=None, rate=None, signal_dbm=None):
    words = []
    if loss is not None:
        if isinstance(loss, bool) or not 0.0 <= float(loss) <= 1.0:
            raise ValueError(f"loss: {loss!r} is not a probability in [0, 1]")
        words.append(f"loss={float(loss)!r}")
    if delay is not None:
        words.append("delay=" + duration_word(delay, "delay"))
    if jitter is not None:
        words.append("jitter=" + duration_word(jitter, "jitter"))
    if rate is not None:
        words.append("rate=" + rate_word(rate))
    if signal_dbm is not None:
        words.append(f"signal={int(signal_dbm)}")
    if not words:
        raise ValueError("link_set needs at least one of loss, delay, jitter, rate, signal")
    return words


class Vmesh:
    """One vmesh executable; every call raises VmeshError unless it exits 0."""

    def __init__(self, bin_option=None):
        self._bin_option = bin_option
        self._bin = None

    @property
    def bin(self):
        if self._bin is None:
            self._bin = find_vmesh_bin(self._bin_option)
        return self._bin

    def call(self, args, timeout_s=120.0, grace_s=60.0):
        argv = [self.bin] + [str(a) for a in args]
        stdout, stderr, returncode = run_process(argv, timeout_s, grace_s)
        if returncode is None:
            raise VmeshError(argv, None, stderr, reason=f"timed out after {timeout_s:g} s")
        if returncode != 0:
            raise VmeshError(argv, returncode, stderr)
        return stdout

    def call_json(self, args, timeout_s=120.0):
        stdout = self.call(args, timeout_s)
        try:
            return json.loads(stdout)
        except ValueError as error:
            argv = [self.bin] + [str(a) for a in args]
            raise VmeshError(argv, 0, "", reason=f"printed no JSON ({error}): {stdout[:500]!r}")


class Capture:
    """A running `vmesh capture`; stop() (or leaving the with block) ends it and returns
    {"path", "packets", "dropped"}."""

    def __init__(self, run, path):
        self._run = run
        self.path = str(path)
        self.result = None

    def stop(self):
        if self.result is None:
            self.result = self._run.vmesh.call_json(["capture", "stop", "--name", self._run.name])
        return self.result

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class VmeshRun:
    """The running mesh: its nodes and the vmesh verbs that change it while tests run."""

    def __init__(self, vmesh, name, nodes, run_dir=None, nodes_file=None):
        self.vmesh = vmesh
        self.name = name
        self.nodes = nodes
        self.dir = run_dir
        self.nodes_file = nodes_file

    def __repr__(self):
        return f"VmeshRun({self.name!r}, nodes={[n.name for n in self.nodes]})"

    def node(self, name):
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r} in run {self.name} "
                       f"(nodes: {', '.join(n.name for n in self.nodes)})")

    def _name_args(self):
        return ["--name", self.name]

    def link_set(self, a, b, loss=None, delay=None, jitter=None, rate=None, signal=None,
                 oneway=False):
        """Changes the link a-b (both ways unless oneway) in the relay at once. delay and
        jitter: seconds or strings like "20ms"; rate: bit/s or a string like "2mbps"."""
        words = ["link", "set", a, b] + link_words(loss, delay, jitter, rate, signal)
        if oneway:
            words.append("oneway")
        self.vmesh.call(words + self._name_args())

    def stats(self):
        return self.vmesh.call_json(["stats"] + self._name_args())

    def status(self):
        return self.vmesh.call_json(["status"] + self._name_args() + ["--json"])

    def node_kill(self, name):
        """Power cut: the node's QEMU is killed. Its shared SSH connection is dropped."""
        node = self.node(name)
        try:
            self.vmesh.call(["node", "kill", name] + self._name_args())
        finally:
            node.ssh.drop_connection()

    def node_start(self, name, timeout_s=300):
        """Boots a killed node again and waits for its SSH; returns the boot time (s)."""
        node = self.node(name)
        node.ssh.drop_connection()
        result = self.vmesh.call_json(
            ["node", "start", name] + self._name_args() + ["--timeout", f"{int(timeout_s)}s",
                                                          "--json"],
            timeout_s=timeout_s + 60)
        self._reread_node(node)
        return float(result["boot_s"])

    def _reread_node(self, node):
        """A node booted again is read back from the node list (its SSH port may differ)."""
        if not self.nodes_file or not os.path.exists(self.nodes_file):
            return
        with open(self.nodes_file, encoding="utf-8") as handle:
            for entry in json.load(handle):
                if entry.get("name") == node.name:
                    node.update(entry)

    def relay_restart(self, down_for=0.5, timeout_s=120):
        """Stops the relay, waits down_for (seconds or "500ms"), starts it again on the same
        ports; returns {"down_s", "reconnected_s", "all_reconnected"}."""
        return self.vmesh.call_json(
            ["relay", "restart"] + self._name_args()
            + ["--down-for", duration_word(down_for, "down_for"), "--json"],
            timeout_s=timeout_s)

    def capture(self, path):
        """Starts a pcapng capture of the medium into path; returns a Capture handle."""
        self.vmesh.call(["capture", "start", str(path)] + self._name_args())
        return Capture(self, path)
