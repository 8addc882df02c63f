"""`import qikit` stays light: no plotting, widgets or Jupyter machinery until they are used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["matplotlib", "ipywidgets", "nbgrader", "jupyter_client", "jupyter_server", "jupyterlab", "IPython"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_qikit_is_light():
    loaded = _modules_after("import qikit")
    for name in HEAVY:
        assert name not in loaded, f"import qikit loaded {name}"


def test_computation_layer_is_light():
    loaded = _modules_after("import qikit\nqikit.spc([1, 2, 3, 4, 5, 4, 3, 2], chart='i')\nqikit.mdc")
    for name in HEAVY:
        assert name not in loaded, f"the SPC engine loaded {name}"


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    import qikit

    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        qikit.nonsense  # noqa: B018
