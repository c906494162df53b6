"""tests/pytest: the plugin's unit tests run without the plugin loaded (they load it in
subprocesses); tests/pytest/vm and vm_owned need it (run_vm_suite.sh passes -p vmesh_pytest), so it is
left out of a run that does not load it."""
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
VM_DIRS = (HERE / "vm", HERE / "vm_owned")


def pytest_ignore_collect(collection_path, config):
    if pathlib.Path(collection_path).resolve() in VM_DIRS:
        return not config.pluginmanager.has_plugin("vmesh_pytest")
    return None
