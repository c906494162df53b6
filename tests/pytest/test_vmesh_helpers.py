"""Unit tests of the vmesh pytest plugin's pure helpers, in process."""
import os
import pathlib
import sys
import time

import pytest

PLUGIN_DIR = pathlib.Path(__file__).resolve().parents[2] / "launcher" / "pytest"
sys.path.insert(0, str(PLUGIN_DIR))

import vmesh_pytest  # noqa: E402
import vmesh_pytest_cli  # noqa: E402


@pytest.mark.parametrize("value, word", [(0.02, "20ms"), (0, "0ms"), (1.5, "1500ms"),
                                         (0.0005, "500us"), ("7ms", "7ms")])
def test_duration_word(value, word):
    assert vmesh_pytest_cli.duration_word(value, "delay") == word


@pytest.mark.parametrize("bad", [-1, True, None, [1]])
def test_duration_word_refuses(bad):
    with pytest.raises(ValueError, match="delay"):
        vmesh_pytest_cli.duration_word(bad, "delay")


def test_link_words_checks_loss_and_needs_a_setting():
    with pytest.raises(ValueError, match="probability"):
        vmesh_pytest_cli.link_words(loss=1.5)
    with pytest.raises(ValueError, match="at least one"):
        vmesh_pytest_cli.link_words()
    assert vmesh_pytest_cli.link_words(loss=0.25, rate="2mbps") == ["loss=0.25", "rate=2mbps"]


def test_find_vmesh_bin_order_and_error(tmp_path, monkeypatch):
    tool = tmp_path / "vmesh"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    other = tmp_path / "other"
    other.mkdir()
    on_path = other / "vmesh"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    find = vmesh_pytest_cli.find_vmesh_bin
    assert find(str(tool), {"VMESH_BIN": str(on_path), "PATH": str(other)}) == str(tool)
    assert find(None, {"VMESH_BIN": str(tool), "PATH": str(other)}) == str(tool)
    assert find(None, {"PATH": str(other)}) == str(on_path)
    monkeypatch.setattr(vmesh_pytest_cli, "BUILD_TREE_VMESH", tmp_path / "build" / "vmesh")
    with pytest.raises(vmesh_pytest_cli.VmeshError) as caught:
        find("/nonexistent/vmesh", {"PATH": str(tmp_path / "empty")})
    text = str(caught.value)
    for tried in ("--vmesh-bin=/nonexistent/vmesh", "VMESH_BIN (not given)", "PATH",
                  str(tmp_path / "build" / "vmesh")):
        assert tried in text


def test_default_run_dir(monkeypatch):
    import pwd
    user = pwd.getpwuid(os.getuid()).pw_name
    assert vmesh_pytest_cli.default_run_dir("lab", {"XDG_RUNTIME_DIR": "/run/user/7"}) == \
        pathlib.Path(f"/run/user/7/vmesh-{user}/lab")
    assert vmesh_pytest_cli.default_run_dir("lab", {"XDG_RUNTIME_DIR": ""}) == \
        pathlib.Path(f"/tmp/vmesh-{user}/lab")


def test_wait_until_returns_the_seconds_it_took():
    calls = []

    def third_time():
        calls.append(1)
        return len(calls) >= 3

    took = vmesh_pytest.wait_until(third_time, timeout_s=5, interval_s=0.01)
    assert len(calls) == 3 and 0 <= took < 5


def test_wait_until_times_out_naming_what():
    start = time.monotonic()
    with pytest.raises(AssertionError, match=r"timed out after .* waiting for n1 sees n2 "
                                             r"\(last result: \[\]\)"):
        vmesh_pytest.wait_until(lambda: [], timeout_s=0.2, interval_s=0.05, what="n1 sees n2")
    assert time.monotonic() - start < 2
