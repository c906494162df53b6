"""tests/pytest: the plugin's unit tests run without the plugin loaded (they load it in
subprocesses); tests/pytest/vm needs it (run_vm_suite.sh passes -p vmesh_pytest), so it is
left out of a run that does not load it."""
import pathlib

VM_DIR = pathlib.Path(__file__).resolve().parent / "vm"


def pytest_ignore_collect(collection_path, config):
    if pathlib.Path(collection_path).resolve() == VM_DIR:
        return not config.pluginmanager.has_plugin("vmesh_pytest")
    return None
