"""Per-trainee limits on the guide's hub, tried from inside a trainee's own notebook kernel.

ann (the hostile one) exceeds each limit of the config's defaults (QIKIT_MEM_LIMIT 2G for all her
processes together, QIKIT_TASKS_LIMIT 256 processes and threads, QIKIT_CPU_LIMIT 1 core,
QIKIT_TMP_LIMIT 1G of private /tmp); each time she is stopped or refused with an ordinary error, and
ben, working at the same time, is not harmed.
"""

from __future__ import annotations

import pwd
import time
from pathlib import Path

import pytest

from .probes import record

pytestmark = pytest.mark.slow

GROUP = "qikit-hub"


def cgroup_file(controller: str, name: str, leaf: str) -> Path:
    v2 = Path("/sys/fs/cgroup/cgroup.controllers").is_file()
    return Path("/sys/fs/cgroup") / ("" if v2 else controller) / GROUP / name / leaf


def server_alive(hub, name: str) -> bool:
    return hub.status("GET", f"/user/{name}/api/status", hub.token(name)) == 200


@pytest.fixture(scope="module")
def two_trainees(hub):
    ann, ben = hub.students
    hub.start_servers([ann, ben])
    return ann, ben


def test_memory_of_all_processes_together(hub, two_trainees, outcomes):
    ann, ben = two_trainees
    # Three children of 900 MiB each: every one is under the per-process cap (2G), together they are not.
    code = (
        "import subprocess, sys\n"
        "child = 'b = bytearray(b\"x\" * (900 * 2**20)); import time; time.sleep(15)'\n"
        "procs = [subprocess.Popen([sys.executable, '-c', child]) for _ in range(3)]\n"
        "print([p.wait() for p in procs])\n"
    )
    out = hub.run_code(ann, code, timeout=180)
    assert out["error"] is None and not out["died"], out
    codes = eval(out["stdout"].strip())  # a printed list of exit codes
    killed = [c for c in codes if c != 0]
    peak = int(cgroup_file("memory", ann, "memory.max_usage_in_bytes" if not
                           Path("/sys/fs/cgroup/cgroup.controllers").is_file() else "memory.peak").read_text())
    limit = 2 * 1024**3
    refused = bool(killed) and peak <= limit
    record(outcomes, "use more memory than the trainee's limit (3 x 900 MiB)", refused,
           f"exit codes {codes}, peak {peak / 2**20:.0f} MiB of {limit / 2**20:.0f} MiB")
    assert killed, f"three 900 MiB processes all ran to the end under a 2 GiB limit: {codes}"
    assert peak <= limit
    assert server_alive(hub, ann), "ann's server itself should survive: the kernel's children were stopped"
    assert server_alive(hub, ben)
    assert hub.run_code(ben, "print(sum(range(10)))")["stdout"].strip() == "45"


def test_processes_per_trainee(hub, two_trainees, outcomes):
    ann, ben = two_trainees
    code = (
        "import subprocess, errno\n"
        "procs, error = [], None\n"
        "try:\n"
        "    for _ in range(400):\n"
        "        procs.append(subprocess.Popen(['sleep', '30']))\n"
        "except OSError as e:\n"
        "    error = errno.errorcode.get(e.errno, str(e.errno))\n"
        "print(len(procs), error)\n"
        "for p in procs:\n"
        "    p.kill(); p.wait()\n"
    )
    out = hub.run_code(ann, code, timeout=120)
    assert out["error"] is None and not out["died"], out
    started, error = out["stdout"].split()
    refused = error == "EAGAIN" and int(started) < 256
    record(outcomes, "start 400 processes (limit 256 per trainee)", refused, f"{started} started, then {error}")
    assert refused, out
    # ben at the same moment: his own processes start as usual.
    ok = hub.run_code(ben, "import subprocess\nprint(subprocess.run(['true']).returncode)")
    assert ok["stdout"].strip() == "0"


def test_private_tmp_is_limited_and_private(hub, two_trainees, outcomes):
    ann, ben = two_trainees
    code = (
        "import os, errno\n"
        "written, error = 0, None\n"
        "try:\n"
        "    with open('/tmp/ann-fills-tmp', 'wb') as f:\n"
        "        for _ in range(1400):\n"
        "            f.write(b'x' * 2**20); written += 1\n"
        "        f.flush(); os.fsync(f.fileno())\n"
        "except OSError as e:\n"
        "    error = errno.errorcode.get(e.errno, str(e.errno))\n"
        "print(written, error)\n"
    )
    out = hub.run_code(ann, code, timeout=120)
    assert out["error"] is None and not out["died"], out
    written, error = out["stdout"].split()
    refused = error == "ENOSPC" and int(written) <= 1024
    record(outcomes, "fill /tmp (limit 1 GiB, private per trainee)", refused, f"{written} MiB written, then {error}")
    assert refused, out
    assert not Path("/tmp/ann-fills-tmp").exists(), "ann's /tmp is the machine's /tmp"
    seen = hub.run_code(ben, "import os\nprint(os.path.exists('/tmp/ann-fills-tmp'))\n"
                             "open('/tmp/ben.txt', 'w').write('x' * 10**6)\nprint('ok')")
    assert seen["stdout"].split() == ["False", "ok"], seen
    hub.run_code(ann, "import os\nos.remove('/tmp/ann-fills-tmp')")


def test_cpu_quota(hub, two_trainees, outcomes):
    ann, _ = two_trainees
    code = (
        "import multiprocessing as mp, os, time\n"
        "def spin(t):\n"
        "    end = time.time() + t\n"
        "    while time.time() < end:\n"
        "        pass\n"
        "start = time.time()\n"
        "ps = [mp.Process(target=spin, args=(4,)) for _ in range(2)]\n"
        "[p.start() for p in ps]; [p.join() for p in ps]\n"
        "wall = time.time() - start\n"
        "t = os.times()\n"
        "print(round((t.children_user + t.children_system) / wall, 2))\n"
    )
    out = hub.run_code(ann, code, timeout=120)
    assert out["error"] is None, out
    cores = float(out["stdout"].strip())
    refused = cores <= 1.15
    record(outcomes, "use two cores (limit 1 core)", refused, f"{cores} cores used")
    assert refused, out


def test_limits_are_per_trainee(hub, two_trainees):
    """The groups exist per trainee with the configured values (what the tests above exercised)."""
    ann, ben = two_trainees
    v2 = Path("/sys/fs/cgroup/cgroup.controllers").is_file()
    for name in (ann, ben):
        mem = cgroup_file("memory", name, "memory.max" if v2 else "memory.limit_in_bytes")
        assert int(mem.read_text()) == 2 * 1024**3
        assert int(cgroup_file("pids", name, "pids.max").read_text()) == 256
    uid = pwd.getpwnam(ann).pw_uid
    procs = cgroup_file("pids", ann, "cgroup.procs").read_text().split()
    assert procs and all(Path(f"/proc/{p}").stat().st_uid == uid for p in procs if Path(f"/proc/{p}").exists())
    time.sleep(0)
