"""Per-trainee limits on the guide's hub, tried from inside a trainee's own notebook kernel.

ann (the hostile one) exceeds each limit of the config's defaults (QIKIT_MEM_LIMIT 2G for all her
processes together, QIKIT_TASKS_LIMIT 256 processes and threads, QIKIT_CPU_LIMIT 1 core,
QIKIT_TMP_LIMIT 1G of private /tmp and /var/tmp, QIKIT_DISK_LIMIT 2G for her home and submissions
together); each time she is stopped or refused, sees qikit's plain message under the error (the
kernel's qikit.hosting.friendly extension), and ben, working at the same time, is not harmed.
"""

from __future__ import annotations

import pwd
import re
import time
from pathlib import Path

import pytest

from .probes import record

pytestmark = pytest.mark.slow

GROUP = "qikit-hub"
GUIDE = Path(__file__).resolve().parents[2] / "course" / "deploy" / "README.md"


def guide_default(setting: str) -> int:
    """A limit's default as the hosting guide states it (``QIKIT_X_LIMIT` (2G ...``), in bytes or a count."""
    m = re.search(rf"`{setting}` \(([0-9]+)([KMG]?)", GUIDE.read_text())
    assert m, f"the hosting guide states no default for {setting}"
    return int(m.group(1)) * 1024 ** " KMG".index(m.group(2) or " ")


def box(out: dict) -> str:
    """The heading of qikit's plain-words box in a cell's output ('' if none)."""
    m = re.search(r"<strong[^>]*>✘ ([^<]+)</strong>", out.get("html", ""))
    return m.group(1) if m else ""


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
    # What ann is told: the system stopped a program of hers for using too much memory, in plain words.
    assert box(out) == "Stopped: out of memory", out
    assert "more than your memory limit of 2 GiB" in out["html"]
    # One allocation larger than the limit: a MemoryError, with the plain message under it.
    out = hub.run_code(ann, "b = bytearray(3 * 2**30)")
    assert out["error"] and out["error"][0] == "MemoryError", out
    assert box(out) == "Out of memory" and "2 GiB" in out["html"], out
    record(outcomes, "allocate 3 GiB at once (limit 2 GiB)", True, f"{out['error'][0]}, told '{box(out)}'")


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
    # The same, not caught by the trainee's code: the error, and the plain message under it.
    out = hub.run_code(ann, "import subprocess\nprocs = []\ntry:\n"
                            "    for _ in range(400):\n        procs.append(subprocess.Popen(['sleep', '30']))\n"
                            "finally:\n    for p in procs:\n        p.kill(); p.wait()\n", timeout=120)
    assert out["error"] and out["error"][0] == "BlockingIOError", out
    assert box(out) == "Too many programs running" and "at most 256 processes" in out["html"], out
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
    # /var/tmp (on the machine's disk) is the same private /tmp: already full, and nobody else's.
    out = hub.run_code(ann, "open('/var/tmp/ann-fills-var-tmp', 'wb').write(b'x' * 2**21)")
    assert out["error"] and "No space left on device" in out["error"][1], out
    assert box(out) == "Your temporary folder is full", out
    record(outcomes, "fill /var/tmp (the same private 1 GiB)", True, f"{out['error'][0]}, told '{box(out)}'")
    assert not list(Path("/var/tmp").glob("ann-fills-var-tmp*"))
    hub.run_code(ann, "import os\nos.remove('/tmp/ann-fills-tmp')")


FILL = (
    "import errno, os\n"
    "written, error = 0, None\n"
    "try:\n"
    "    with open({path!r}, 'wb') as f:\n"
    "        for _ in range({most}):\n"
    "            f.write(b'x' * 2**22); written += 4\n"
    "            f.flush()\n"
    "        os.fsync(f.fileno())\n"
    "except OSError as e:\n"
    "    error = errno.errorcode.get(e.errno, str(e.errno))\n"
    "print(written, error)\n"
)


def test_disk_per_trainee_home_and_exchange(hub, two_trainees, outcomes):
    """QIKIT_DISK_LIMIT (the guide's 2G): ann fills her home; then her submissions, which count on the same
    disk, are refused too; the rest of the exchange is read-only in her server; ben carries on."""
    ann, ben = two_trainees
    limit = guide_default("QIKIT_DISK_LIMIT")
    assert limit == 2 * 1024**3
    inbound = hub.exchange / hub.course / "inbound"
    out = hub.run_code(ann, FILL.format(path="fills-home.bin", most=limit // 2**22 + 64), timeout=600)
    assert out["error"] is None and not out["died"], out
    written, error = out["stdout"].split()
    refused = error in ("ENOSPC", "EDQUOT") and int(written) * 2**20 <= limit
    record(outcomes, "fill her home (limit 2 GiB, a disk of her own)", refused, f"{written} MiB written, then {error}")
    assert refused, out
    assert int(written) * 2**20 > 0.9 * limit, f"only {written} MiB fitted in a 2 GiB disk"

    # A submission (what nbgrader submit writes) counts on the same disk: refused now.
    submission = str(inbound / f"{ann}+ps1+2026-01-01 00:00:00.000000 UTC+fillfillfill")
    code = (f"import os, errno\nos.mkdir({submission!r})\n"
            + FILL.format(path=submission + "/big.bin", most=64))
    out = hub.run_code(ann, code, timeout=120)
    written, error = out["stdout"].split()
    refused = error in ("ENOSPC", "EDQUOT")
    record(outcomes, "submit into the exchange with a full disk", refused, f"{written} MiB written, then {error}")
    assert refused, out
    # An unhandled write past the limit: the error, and qikit's plain message under it.
    out = hub.run_code(ann, "open('one-more.bin', 'wb').write(b'x' * 2**21)")
    assert out["error"] and "No space left on device" in out["error"][1], out
    assert box(out) == "Your disk space is full" and "limit of 2 GiB" in out["html"], out

    # The rest of the exchange is read-only in her server (outbound, feedback); its root, which nbgrader
    # wants writable, is a tiny private folder of hers: nothing she writes there reaches the machine.
    for folder in (hub.exchange / hub.course / "outbound", hub.exchange / hub.course / "feedback"):
        out = hub.run_code(ann, f"import errno\ntry:\n    open({str(folder / 'ann-was-here')!r}, 'w').write('x')\n"
                                "    print('WRITTEN')\nexcept OSError as e:\n"
                                "    print(errno.errorcode.get(e.errno))")
        refused = out["stdout"].strip() in ("EROFS", "EACCES")
        record(outcomes, f"write into the exchange's {folder.name}/", refused, out["stdout"].strip())
        assert refused, out
    out = hub.run_code(ann, FILL.format(path=str(hub.exchange / "ann-fills-the-exchange"), most=64))
    written, error = out["stdout"].split()
    refused = error == "ENOSPC" and int(written) < 4
    record(outcomes, "fill the exchange's root folder", refused, f"{written} MiB written (her own tiny folder), then {error}")
    assert refused, out
    assert not (hub.exchange / "ann-fills-the-exchange").exists()

    # ben, meanwhile: his home and his submissions have room.
    bens = str(inbound / f"{ben}+ps1+2026-01-01 00:00:00.000000 UTC+benbenbenben")
    out = hub.run_code(ben, "import os\nopen('data.bin', 'wb').write(b'x' * 10 * 2**20)\n"
                            f"os.mkdir({bens!r})\nopen({bens!r} + '/ps1.ipynb', 'w').write('{{}}')\nprint('ok')")
    assert out["stdout"].strip() == "ok", out
    # ann frees her space and can submit again; her submission lands on her own disk, where the grader's
    # collect reads it, not in the shared inbound.
    out = hub.run_code(ann, f"import os, shutil\nos.remove('fills-home.bin')\nshutil.rmtree({submission!r})\n"
                            f"os.mkdir({submission!r})\nopen({submission!r} + '/ps1.ipynb', 'w').write('{{}}')\n"
                            "print('ok')")
    assert out["stdout"].strip() == "ok", out
    import subprocess

    def listing(folder: Path) -> list[str]:
        out = subprocess.run(hub.in_namespace(["ls", "-A", str(folder)]), capture_output=True, text=True, timeout=30)
        return out.stdout.splitlines()

    assert Path(submission).name in listing(hub.state / "disk" / "mnt" / ann / "inbound")
    assert not [n for n in listing(inbound) if n.startswith(f"{ann}+")], "ann's submission is in the shared inbound"


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


def test_a_server_that_dies_after_the_memory_limit_bit_is_explained(hub, two_trainees, outcomes):
    """The hub's "server not running" page says why when a trainee's server died by itself after the memory
    limit stopped one of their programs (test_memory_of_all_processes_together did, above). The server's
    death is played by the test (SIGKILL, as the out-of-memory killer sends) because which process the kernel
    picks is not for a test to steer. Last in the module: ann's server stays down."""
    import os
    import signal

    ann, _ = two_trainees
    kills = int(re.search(r"oom_kill (\d+)", cgroup_file("memory", ann, "memory.events" if Path(
        "/sys/fs/cgroup/cgroup.controllers").is_file() else "memory.oom_control").read_text()).group(1))
    assert kills > 0, "no out-of-memory stop in ann's group: run the whole module"
    uid = pwd.getpwnam(ann).pw_uid
    mine = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and p.stat().st_uid == uid}
    servers = [pid for pid in mine if "ipykernel" not in Path(f"/proc/{pid}/cmdline").read_text()
               and int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) not in mine]
    assert len(servers) == 1, servers
    os.kill(servers[0], signal.SIGKILL)
    session = hub.session(ann)
    deadline = time.monotonic() + 60
    while True:
        page = session.get(f"{hub.url}/user/{ann}/lab", timeout=30)
        if "qikit-stopped" in page.text or time.monotonic() > deadline:
            break
        time.sleep(2)
    told = "more than your memory limit (2 GiB" in page.text
    record(outcomes, "ann's server dies after the memory limit bit", told,
           f"HTTP {page.status_code}, the hub's page {'says why' if told else 'does not say why'}")
    assert page.status_code == 424 and told, "\n".join(
        [page.text[-800:], *[line for line in hub.log_tail(400).splitlines() if ann in line and (
            "stop" in line.lower() or "memory" in line.lower())]])
    ben = two_trainees[1]
    assert server_alive(hub, ben) and hub.run_code(ben, "print(1)")["stdout"].strip() == "1"
