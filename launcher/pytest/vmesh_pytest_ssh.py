"""Mesh nodes from a vmesh node list (nodes.json) and commands on them over the system ssh.

Part of the vmesh pytest plugin (vmesh_pytest.py); no third-party imports.
"""
import json
import os
import shlex
import subprocess

from vmesh_pytest_cli import run_process

DEFAULT_COMMAND_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10
TIMEOUT_RETURNCODE = 124  # as timeout(1)


class SshCommandError(AssertionError):
    """run_check: the command exited non-zero (or did not finish)."""

    def __init__(self, node, command, returncode, stdout, stderr):
        self.node = node
        self.command = command
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        text = f"{node}: `{command}` exited {returncode}"
        if stderr:
            text += "; stderr:\n" + "\n".join(stderr[-20:])
        elif stdout:
            text += "; stdout:\n" + "\n".join(stdout[-20:])
        super().__init__(text)


class NodeSsh:
    """Runs shell commands on one node as root with the system ssh client.

    The node's host key is never recorded (a node booted again has a new one). Commands
    share one connection per node (ControlMaster) in a private directory, so a command costs
    a round trip, not a key exchange, under emulation."""

    def __init__(self, node_name, host, port, user="root", key=None, control_dir=None):
        self.node_name = node_name
        self.host = host
        self.port = int(port)
        self.user = user
        self.key = key
        self.control_dir = control_dir

    def _control_path(self):
        if not self.control_dir:
            return None
        return os.path.join(self.control_dir, f"{self.host}-{self.port}")

    def base_argv(self):
        argv = ["ssh", "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
                "-o", f"ConnectTimeout={CONNECT_TIMEOUT_S}",
                "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"]
        if self.key:
            argv += ["-i", str(self.key), "-o", "IdentitiesOnly=yes"]
        control_path = self._control_path()
        if control_path:
            argv += ["-o", "ControlMaster=auto", "-o", f"ControlPath={control_path}",
                     "-o", "ControlPersist=60"]
        return argv

    def argv(self, command):
        if not isinstance(command, str):
            command = shlex.join(str(word) for word in command)
        return self.base_argv() + [f"{self.user}@{self.host}", command]

    def run(self, command, timeout=DEFAULT_COMMAND_TIMEOUT_S):
        """Runs command (a shell string, or a list that is quoted) on the node; returns
        (stdout_lines, stderr_lines, returncode). 255: ssh could not connect; 124: the
        command did not finish within timeout seconds (the client is killed)."""
        stdout, stderr, returncode = run_process(self.argv(command), timeout, grace_s=2)
        if returncode is None:
            stderr += (f"vmesh_pytest: `{command}` on {self.node_name} "
                       f"timed out after {timeout:g} s\n")
            returncode = TIMEOUT_RETURNCODE
        return stdout.splitlines(), stderr.splitlines(), returncode

    def run_check(self, command, timeout=DEFAULT_COMMAND_TIMEOUT_S):
        """Like run, but returns only stdout_lines and raises SshCommandError (an
        AssertionError) naming node, command, exit code and stderr when it is not 0."""
        stdout, stderr, returncode = self.run(command, timeout)
        if returncode != 0:
            raise SshCommandError(self.node_name, command, returncode, stdout, stderr)
        return stdout

    def drop_connection(self):
        """Ends the shared connection (after a node was killed: the next command connects
        afresh to whatever now listens on the port)."""
        control_path = self._control_path()
        if not control_path or not os.path.exists(control_path):
            return
        subprocess.run(self.base_argv() + ["-O", "exit", f"{self.user}@{self.host}"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=15, check=False)
        try:
            os.unlink(control_path)
        except FileNotFoundError:
            pass


class MeshNode:
    """One node of the node list. place is the place_id ("virtual-mesh-N") test suites
    written for labs of routers use; raw is the node list entry as read."""

    def __init__(self, entry, control_dir=None, default_key=None):
        self._control_dir = control_dir
        self._default_key = default_key
        self.update(entry)

    def update(self, entry):
        """Takes the node list entry (again, after the node was booted anew)."""
        self.raw = dict(entry)
        self.name = entry["name"]
        self.index = int(entry["index"])
        self.place = entry.get("place_id", f"virtual-mesh-{self.index}")
        self.place_id = self.place
        self.host = entry.get("host", "127.0.0.1")
        self.port = int(entry["port"])
        self.user = entry.get("user", "root")
        self.mesh_ip = entry.get("mesh_ip")
        self.mac_prefix = entry.get("mac_prefix")
        self.macs = list(entry.get("macs", []))
        self.log = entry.get("log")
        self.ssh_key = entry.get("ssh_key") or self._default_key
        old = getattr(self, "ssh", None)
        if old is not None and (old.host, old.port) != (self.host, self.port):
            old.drop_connection()
        self.ssh = NodeSsh(self.name, self.host, self.port, self.user, self.ssh_key,
                           self._control_dir)

    def __repr__(self):
        return f"MeshNode({self.name!r}, {self.host}:{self.port}, mesh_ip={self.mesh_ip!r})"


def load_nodes(path, control_dir=None, default_key=None):
    """The node list at path as MeshNode objects in index order."""
    with open(path, encoding="utf-8") as handle:
        entries = json.load(handle)
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty JSON list of nodes")
    nodes = [MeshNode(entry, control_dir, default_key) for entry in entries]
    return sorted(nodes, key=lambda node: node.index)
