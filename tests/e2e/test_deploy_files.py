"""The hosting files that cannot run here (no Docker engine, no cluster), checked for structure.

- course/deploy/z2jh/values.yaml sets what the course needs (validation against the chart's real
  schema, the image's start logic and the API scopes are in test_k8s_image.py);
- its hub.extraConfig runs, and gives trainees their own uid and instructors the course volume;
- the Dockerfile installs this package with the same `course` extra as the README's course command
  and switches off exactly the nbgrader extensions a student must not have;
- jupyterhub_config.py loads in the college profile (NativeAuthenticator) without creating anything;
- qikit_hub_roles.py gives each role the right extensions and the formgrader iframe header.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "course" / "deploy"
sys.path.insert(0, str(DEPLOY))
import qikit_hub_roles as roles  # noqa: E402


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text())


def test_values_set_what_the_course_needs(values):
    su = values["singleuser"]
    assert su["image"]["name"] and su["image"]["tag"]
    assert su["cmd"] == "jupyterhub-singleuser" and su["defaultUrl"] == "/lab"
    mounts = {m["name"]: m["mountPath"] for m in su["storage"]["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in su["storage"]["extraVolumes"]}
    assert mounts == {"nbgrader-exchange": "/srv/nbgrader/exchange"}
    assert claims == {"nbgrader-exchange": "nbgrader-exchange"}
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(groups) == {"formgrade-qikit", "nbgrader-qikit"}
    # qikit's NativeAuthenticator (first administrator made by the hub, reserved names), its file mounted
    # where the extra config puts it on the path, no open sign-up.
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "qikit_hub_auth.QikitAuthenticator"
    assert values["hub"]["config"]["NativeAuthenticator"]["open_signup"] is False
    assert values["hub"]["config"]["QikitAuthenticator"]["first_password_dir"].startswith("/srv/jupyterhub/")
    mount = values["hub"]["extraFiles"]["qikit-hub-auth"]["mountPath"]
    assert mount.endswith("/qikit_hub_auth.py") and f'sys.path.insert(0, "{mount.rsplit("/", 1)[0]}")' in (
        values["hub"]["extraConfig"]["qikit-auth.py"])
    # The claims values.yaml uses are the ReadWriteMany claims nbgrader-volumes.yaml creates.
    pvcs = list(yaml.safe_load_all((DEPLOY / "z2jh" / "nbgrader-volumes.yaml").read_text()))
    assert {p["metadata"]["name"]: p["spec"]["accessModes"] for p in pvcs} == {
        "nbgrader-exchange": ["ReadWriteMany"], "nbgrader-course": ["ReadWriteMany"]}


def test_exchange_layout_matches_nbgraders_groupshared_modes(values):
    # nbgrader 0.9's release_assignment / release_feedback with CourseDirectory.groupshared:
    # course and outbound 0o755 | S_ISGID | S_IWGRP = 0o2775; inbound 0o733 | S_ISGID | S_IRGRP = 0o2773;
    # feedback 0o711 | S_ISGID | S_IRGRP | S_IWGRP = 0o2771. The root is world-writable and sticky.
    script = values["singleuser"]["initContainers"][0]["command"][-1]
    assert "chmod 1777 /exchange" in script
    assert "chmod 2775 /exchange/qikit /exchange/qikit/outbound" in script
    assert "chmod 2773 /exchange/qikit/inbound" in script
    assert "chmod 2771 /exchange/qikit/feedback" in script


class _Spawner(SimpleNamespace):
    pass


@pytest.mark.parametrize("volumes_as_dict", [False, True])
def test_extra_config_gives_uids_and_instructor_volumes(values, volumes_as_dict):
    from traitlets.config import Config

    c = Config()
    for name, code in values["hub"]["extraConfig"].items():
        exec(compile(code, name, "exec"), {"c": c})
    uid, hook = c.KubeSpawner.uid, c.KubeSpawner.pre_spawn_hook

    def spawner(user_id, groups):
        empty = {} if volumes_as_dict else []
        return _Spawner(user=SimpleNamespace(id=user_id, name=f"user{user_id}",
                                             groups=[SimpleNamespace(name=g) for g in groups]),
                        environment={}, volumes=empty, volume_mounts=empty, init_containers=empty,
                        supplemental_gids=[])

    student, teacher = spawner(7, ["nbgrader-qikit"]), spawner(8, ["formgrade-qikit"])
    assert (uid(student), uid(teacher)) == (10007, 10008)  # 10000 + the hub's user id
    hook(student)
    assert student.environment == {} and not student.volumes and student.supplemental_gids == []
    inits = list(student.init_containers.values()) if volumes_as_dict else student.init_containers
    assert [c["name"] for c in inits] == ["qikit-roster"]  # every pod records its uid for the instructors
    hook(teacher)
    assert teacher.environment == {"JUPYTER_CONFIG_PATH": "/etc/qikit/grader",
                                   "QIKIT_PASSWD_ROSTER": "/srv/nbgrader/exchange/qikit/.qikit-users"}
    assert teacher.supplemental_gids == [2000]
    mounts = list(teacher.volume_mounts.values()) if volumes_as_dict else teacher.volume_mounts
    assert mounts == [{"name": "nbgrader-course", "mountPath": "/srv/nbgrader/course"}]


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def test_dockerfile_installs_the_course_extra_like_the_readme():
    readme = (ROOT / "README.md").read_text()
    course_cmd = re.search(r"<!-- course-command -->\s*```bash\n(.*?)\n```", readme, re.S).group(1)
    readme_extras = re.findall(r'pip install -e "\.\[([^\]]+)\]"', course_cmd)
    docker_extras = re.findall(r'pip install [^\n]*"/opt/qikit\[([^\]]+)\]"', _dockerfile())
    assert readme_extras == ["course"] and docker_extras == readme_extras
    for source in re.findall(r"^COPY (.+) /opt/qikit/?\S*$", _dockerfile(), re.M):
        for item in source.split():
            assert (ROOT / item).exists(), f"the Dockerfile copies {item}, which is not in the repository"
    assert re.search(r"^FROM python:3\.1[1-9]", _dockerfile(), re.M)  # requires-python >= 3.11


def test_dockerfile_keeps_only_the_student_extensions():
    server, page = roles.role_settings("student")
    off_server = {ext for ext, on in server["ServerApp"]["jpserver_extensions"].items() if not on}
    off_lab = {plugin for plugin, off in page["disabledExtensions"].items() if off}
    text = _dockerfile()
    assert set(re.findall(r"jupyter server extension disable --sys-prefix (\S+)", text)) == off_server
    assert set(re.findall(r"jupyter labextension disable --level=sys_prefix (\S+)", text)) == off_lab
    assert "ENV JUPYTER_CONFIG_PATH=/etc/qikit/student" in text
    assert "qikit_hub_roles.py /etc/qikit" in text  # where /etc/qikit/{student,grader} come from


@pytest.mark.parametrize("role,on,off", [
    ("student", {"assignment_list", "validate_assignment"}, {"formgrader", "course_list"}),
    ("instructor", {"assignment_list", "course_list"}, {"formgrader"}),
    ("grader", {"formgrader"}, {"assignment_list", "course_list"}),
])
def test_role_extensions(role, on, off):
    server, page = roles.role_settings(role)
    ext = {k.rsplit(".", 1)[-1]: v for k, v in server["ServerApp"]["jpserver_extensions"].items()}
    assert all(ext[e] for e in on) and not any(ext[e] for e in off)
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is (role != "grader")
    headers = server["ServerApp"].get("tornado_settings", {}).get("headers", {})
    assert headers == ({"Content-Security-Policy": "frame-ancestors 'self'"} if role == "grader" else {})


def test_role_configs_are_written_and_readable(tmp_path):
    dirs = roles.write_role_configs(tmp_path, "qk", "/srv/x", "/srv/course", groupshared=True)
    grader = dirs["grader"]
    assert json.loads((grader / "jupyter_server_config.json").read_text())["ServerApp"]["tornado_settings"]
    text = (grader / "nbgrader_config.py").read_text()
    compile(text, "nbgrader_config.py", "exec")
    assert "c.CourseDirectory.groupshared = True" in text and "c.Exchange.path_includes_course = True" in text
    assert "CourseDirectory.root" not in (dirs["student"] / "nbgrader_config.py").read_text()
    for path in tmp_path.rglob("*"):
        assert path.stat().st_mode & 0o004, f"{path} is not readable by every account"
    with pytest.raises(ValueError, match="unknown role"):
        roles.role_settings("admin")


def test_hub_config_defaults_are_safe(tmp_path):
    """The configuration is valid (the qikit NativeAuthenticator) and safe by default, read without
    creating any account or folder (QIKIT_HUB_CHECK_ONLY=1): loopback only, no open sign-up, the grader
    account not blocked (a blocked user loses its groups, and with them the formgrader's Collect button)
    but refused at login by the authenticator, and no service beyond the grader and the idle culler."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIKIT_")}
    env.update(QIKIT_HUB_STATE=str(tmp_path / "state"),
               QIKIT_EXCHANGE=str(tmp_path / "exchange"), QIKIT_HOMES=str(tmp_path / "homes"),
               QIKIT_INSTRUCTORS="dr_jones", QIKIT_HUB_ADMINS="dr_jones", QIKIT_COURSE_SOURCE="",
               QIKIT_HUB_CHECK_ONLY="1")
    code = (
        "import json\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        f"cfg = PyFileConfigLoader('jupyterhub_config.py', path={str(DEPLOY)!r}).load_config()\n"
        "print(json.dumps({'auth': cfg.JupyterHub.authenticator_class.__name__, 'ip': cfg.JupyterHub.ip,\n"
        "    'open_signup': cfg.NativeAuthenticator.open_signup, 'blocked': sorted(cfg.Authenticator.blocked_users) if 'blocked_users' in cfg.Authenticator else [],\n"
        "    'admins': sorted(cfg.Authenticator.admin_users),\n"
        "    'groups': {k: v['users'] for k, v in cfg.JupyterHub.load_groups.items()},\n"
        "    'services': [s['name'] for s in cfg.JupyterHub.services]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"auth": "QikitAuthenticator", "ip": "127.0.0.1", "open_signup": False, "blocked": [],
                   "admins": ["dr_jones"],
                   "groups": {"formgrade-qikit": ["dr_jones", "grader-qikit"], "nbgrader-qikit": []},
                   "services": ["qikit", "idle-culler"]}
    assert not (tmp_path / "exchange").exists() and not (tmp_path / "homes" / "grader-qikit").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the hub checks where its files are only when it starts as root")
def test_hub_refuses_files_under_tmp():
    """Every trainee's server gets a private /tmp, so anything the hub keeps under /tmp would vanish from
    their view: the hub stops before it creates any account or folder, saying which setting and why."""
    import pwd
    import shutil
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="qikit-hub-", dir="/tmp"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QIKIT_")}
        env.update(QIKIT_HOMES=str(where / "homes"), QIKIT_HUB_STATE=str(where / "state"),
                   QIKIT_EXCHANGE=str(where / "exchange"), QIKIT_COURSE_ID="qktmpcheck", QIKIT_COURSE_SOURCE="")
        code = ("from traitlets.config.loader import PyFileConfigLoader\n"
                f"PyFileConfigLoader('jupyterhub_config.py', path={str(DEPLOY)!r}).load_config()\n")
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode != 0
        assert f"QIKIT_HOMES ({where / 'homes'}) is under /tmp" in out.stderr, out.stderr
        assert "private /tmp of its own" in out.stderr
        assert list(where.iterdir()) == []
        with pytest.raises(KeyError):
            pwd.getpwnam("grader-qktmpcheck")
    finally:
        shutil.rmtree(where)


def test_there_is_no_test_only_login(tmp_path):
    """The shared-password test profile is gone: asking for it stops the hub with the reason."""
    env = dict(os.environ, QIKIT_HUB_PROFILE="test", QIKIT_HUB_STATE=str(tmp_path), QIKIT_HUB_CHECK_ONLY="1")
    code = ("from traitlets.config.loader import PyFileConfigLoader\n"
            f"PyFileConfigLoader('jupyterhub_config.py', path={str(DEPLOY)!r}).load_config()\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "one login, NativeAuthenticator" in out.stderr


def test_reserved_names():
    """Names a trainee may not take, with the reason in words (course/deploy/qikit_hub_auth.py)."""
    sys.path.insert(0, str(DEPLOY))
    try:
        from qikit_hub_auth import reserved_reason
    finally:
        sys.path.remove(str(DEPLOY))
    assert reserved_reason("grader-qikit") == "'grader-qikit' is kept for a course's grading account. Choose another username."
    assert "kept for the system" in reserved_reason("root")
    assert "account of the system itself" in reserved_reason("daemon")  # uid 1 on Debian
    assert reserved_reason("ann_adams") is None  # no such account on this machine
