"""The educator's report on one assignment, after autograding (and, if you like, manual marking).

    cd course
    python report.py a1_aims_and_measures                  # writes ../assignments/reports/a1_aims_and_measures_*
    python report.py a1_aims_and_measures --out ~/reports  # grades are personal data: keep them out of the repo

Writes, for the assignment: ``<assignment>_marks.csv`` (per student: status, why, flagged, score, and the
mark of every check and written answer), ``<assignment>_items.csv`` (per check: facility and
discrimination), ``<assignment>_misconceptions.csv`` (the messages of failed checks, counted),
``<assignment>_attention.csv`` (submissions not graded, waiting for manual marking, or flagged, with the
reasons) and ``<assignment>_report.html`` (all of it on one page, with charts). The numbers come from
nbgrader's gradebook and the grading records; see ``qikit/grading/report.py`` for the definitions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None, config=None) -> int:
    parser = argparse.ArgumentParser(description="The educator's report on one assignment.")
    parser.add_argument("assignment")
    parser.add_argument("--out", default=None, help="folder for the files (default: <course directory>/reports)")
    args = parser.parse_args(argv)
    if config is None:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(HERE)).load_config()
    from qikit.grading.report import build, write

    report = build(config, args.assignment)
    out = Path(args.out) if args.out else Path(config.CourseDirectory.root) / "reports"
    paths = write(report, out)
    attention = report.attention()
    print(f"{args.assignment}: {len(report.students)} students, {len(attention)} needing attention. "
          f"Report: {paths['html']}")
    for row in attention:
        print(f"  {row.student}: {row.status}{' (flagged)' if row.flagged else ''} {row.why}".rstrip())
        for flag in row.flags[:5]:
            print(f"      {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
