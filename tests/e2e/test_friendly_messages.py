"""qikit.hosting.friendly without a hub: which errors get which plain message, and the out-of-memory notice
for a stopped program and for the previous kernel (the hub test, test_limits.py, sees them in real kernels)."""

from __future__ import annotations

import errno
from types import SimpleNamespace

import pytest

from qikit.hosting import friendly


@pytest.fixture
def shown(monkeypatch):
    boxes = []
    monkeypatch.setattr(friendly, "_show", lambda heading, message: boxes.append((heading, message)))
    monkeypatch.setattr(friendly, "memory_limit", lambda: 2 * 2**30)
    monkeypatch.setattr(friendly, "tasks_limit", lambda: 256)
    return boxes


def test_which_errors_get_which_message(shown, monkeypatch):
    monkeypatch.setenv("QIKIT_DISK_LIMIT_BYTES", str(2 * 2**30))
    assert friendly.advice(MemoryError())[0] == "Out of memory"
    assert "2 GiB" in friendly.advice(MemoryError())[1]
    full = OSError(errno.ENOSPC, "No space left on device", "/home/ann/ward/x.csv")
    assert friendly.advice(full)[0] == "Your disk space is full"
    assert "limit of 2 GiB" in friendly.advice(full)[1]
    assert friendly.advice(OSError(errno.EDQUOT, "Disk quota exceeded"))[0] == "Your disk space is full"
    tmp = OSError(errno.ENOSPC, "No space left on device", "/tmp/big.bin")
    assert friendly.advice(tmp)[0] == "Your temporary folder is full"
    assert friendly.advice(BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"))[0] == \
        "Too many programs running"
    assert "at most 256 processes" in friendly.advice(RuntimeError("can't start new thread"))[1]
    for other in (ValueError("x"), OSError(errno.ENOENT, "No such file"), KeyError("a")):
        assert friendly.advice(other) is None


def test_out_of_memory_stops_are_told_once(shown, monkeypatch, tmp_path):
    kills = {"n": 3}
    monkeypatch.setattr(friendly, "oom_kills", lambda: kills["n"])
    monkeypatch.setattr(friendly, "SEEN_FILE", tmp_path / "seen")
    (tmp_path / "seen").write_text("2\n")  # the kernel before this one was stopped (3 > 2)
    watcher = friendly._Watcher()
    watcher.pre_run_cell(None)
    assert [h for h, _ in shown] == ["Stopped: out of memory"]
    assert "previous kernel was stopped" in shown[0][1] and "2 GiB" in shown[0][1]
    watcher.post_run_cell(SimpleNamespace(error_in_exec=None))
    watcher.pre_run_cell(None)  # nothing new: nothing said
    assert len(shown) == 1
    kills["n"] = 4  # a program this cell started was stopped; the kernel lived on
    watcher.post_run_cell(SimpleNamespace(error_in_exec=None))
    assert len(shown) == 2 and "program this cell started" in shown[1][1]
    assert (tmp_path / "seen").read_text().strip() == "4"
    # An ordinary error: no box.
    watcher.pre_run_cell(None)
    watcher.post_run_cell(SimpleNamespace(error_in_exec=ZeroDivisionError()))
    assert len(shown) == 2
    # A limit's error: the box under it.
    watcher.post_run_cell(SimpleNamespace(error_in_exec=MemoryError()))
    assert shown[-1][0] == "Out of memory"


def test_the_extension_loads_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.extension_manager.load_extension("qikit.hosting.friendly")
        assert any(getattr(cb, "__self__", None).__class__.__name__ == "_Watcher"
                   for cb in shell.events.callbacks["post_run_cell"])
        shell.extension_manager.unload_extension("qikit.hosting.friendly")
        assert not any(getattr(cb, "__self__", None).__class__.__name__ == "_Watcher"
                       for cb in shell.events.callbacks["post_run_cell"])
    finally:
        InteractiveShell.clear_instance()
