"""pyproject.toml and environment.yml must describe the same environment; the layout must exist."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet


def _pyproject_requirements() -> dict[str, SpecifierSet]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs.extend(extra)
    out = {}
    for text in reqs:
        req = Requirement(text)
        if req.name == meta["name"]:  # the self-reference that pulls one extra into another
            continue
        out[req.name.lower()] = req.specifier
    return out


def _conda_requirements() -> dict[str, SpecifierSet]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section installs qikit itself
            assert dep == {"pip": ["-e ."]}
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", dep)
        name, spec = m.group(1).lower(), m.group(2).replace(" ", "")
        if name in {"python", "pip"}:
            continue
        out[name] = SpecifierSet(spec)
    return out


def test_environment_yml_matches_pyproject():
    py, conda = _pyproject_requirements(), _conda_requirements()
    assert sorted(py) == sorted(conda), "package lists differ"
    for name, spec in py.items():
        assert spec == conda[name], f"{name}: pyproject says {spec}, environment.yml says {conda[name]}"


def test_python_bound_agrees():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python {meta['requires-python']}" in env["dependencies"]


@pytest.mark.parametrize(
    "name,version",
    [("jupyterlab", "4.6.0"), ("notebook", "7.6.0"), ("nbgrader", "0.9.6"), ("nbval", "0.11.0"),
     ("ipywidgets", "8.1.0"), ("pandas", "3.1.0"), ("matplotlib", "3.11.0"), ("pytest", "9.0.0")],
)
def test_bounds_admit_the_proven_combination(name, version):
    assert version in _pyproject_requirements()[name]


def test_layout():
    for path in ["qikit", "notebooks", "assignments", "course", "tests", "benchmarks",
                 "environment.yml", "pyproject.toml", "README.md", ".ci/run"]:
        assert (ROOT / path).exists(), path


# The hub and its authenticator are a pinned pair (pyproject's comment says why). CI installs the test
# extra, which includes the hub extra, so the resolved versions must be exactly the pinned ones: a
# loosened pin, or an environment that resolved something else, fails here before any e2e test runs.
HUB_PAIR = ("jupyterhub", "jupyterhub-nativeauthenticator")


@pytest.mark.parametrize("name", HUB_PAIR)
def test_hub_pair_is_pinned_and_installed_as_pinned(name):
    from importlib.metadata import version

    spec = _pyproject_requirements()[name]
    pins = [s for s in spec if s.operator == "=="]
    assert len(pins) == 1 and len(spec) == 1, f"{name} must be pinned with == (found {spec})"
    assert version(name) == pins[0].version, (
        f"{name} {version(name)} is installed but pyproject.toml pins {pins[0].version}: reinstall with "
        "pip install -e '.[test]'")
