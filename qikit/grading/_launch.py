"""Start one sandboxed kernel: join its control groups, set its resource limits, then become bubblewrap.

Run by ``qikit.grading.sandbox.SandboxedKernelManager`` as ``python -I -S _launch.py SPEC.json``: standard
library only, so that it starts in milliseconds. SPEC holds ``argv`` (the bubblewrap command line),
``cgroups`` (folders whose ``cgroup.procs`` this process joins), ``rlimits`` (name -> soft and hard limit)
and ``log`` (where the kernel's own stdout and stderr go, instead of the grader's terminal).
"""

import json
import os
import resource
import sys


def main(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    for folder in spec.get("cgroups", []):
        with open(os.path.join(folder, "cgroup.procs"), "w", encoding="ascii") as procs:
            procs.write(str(os.getpid()))
    for name, limit in spec.get("rlimits", {}).items():
        resource.setrlimit(getattr(resource, name), (limit, limit))
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    os.execv(spec["argv"][0], spec["argv"])


if __name__ == "__main__":
    main(sys.argv[1])
