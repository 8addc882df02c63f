"""qikit.course: nbgitpuller links, one per course notebook.

The expected links are written out by hand from nbgitpuller's parameters (repo, branch,
targetpath, urlpath on the route /hub/user-redirect/git-pull), percent-encoding every reserved
character: ':' -> %3A, '/' -> %2F, ' ' -> %20, '@' -> %40.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from qikit.course import CourseLinkError, links, main
from qikit.errors import QIError


@pytest.fixture
def course(tmp_path):
    nbs = tmp_path / "notebooks"
    (nbs / "extra").mkdir(parents=True)
    (nbs / ".ipynb_checkpoints").mkdir()
    for name in ["01-run-charts.ipynb", "00-start-here.ipynb", "extra/ward data.ipynb",
                 ".ipynb_checkpoints/00-start-here-checkpoint.ipynb", "README.md"]:
        (nbs / name).write_text("{}")
    return tmp_path


def test_one_link_per_notebook_written_out_by_hand(course):
    got = links("https://qi.example.ac.uk/", "https://github.com/college/qi-course.git", root=course)
    base = "https://qi.example.ac.uk/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fcollege%2Fqi-course.git"
    assert got == [
        ("00-start-here.ipynb",
         base + "&branch=main&targetpath=qi-course&urlpath=lab%2Ftree%2Fqi-course%2Fnotebooks%2F00-start-here.ipynb"),
        ("01-run-charts.ipynb",
         base + "&branch=main&targetpath=qi-course&urlpath=lab%2Ftree%2Fqi-course%2Fnotebooks%2F01-run-charts.ipynb"),
        ("extra/ward data.ipynb",
         base + "&branch=main&targetpath=qi-course"
                "&urlpath=lab%2Ftree%2Fqi-course%2Fnotebooks%2Fextra%2Fward%20data.ipynb"),
    ]


def test_links_decode_to_what_nbgitpuller_reads(course):
    # The hub may live under a path; the branch and an scp-style repository address survive encoding.
    [(_, url), *_] = links("http://127.0.0.1:8000/jupyter", "git@gitlab.nhs.uk:qi/course", branch="2025/spring",
                           root=course)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8000", "/jupyter/hub/user-redirect/git-pull")
    assert parse_qs(parts.query) == {
        "repo": ["git@gitlab.nhs.uk:qi/course"], "branch": ["2025/spring"], "targetpath": ["course"],
        "urlpath": ["lab/tree/course/notebooks/00-start-here.ipynb"]}


def test_other_notebooks_folder(tmp_path):
    (tmp_path / "course" / "week1").mkdir(parents=True)
    (tmp_path / "course" / "week1" / "a.ipynb").write_text("{}")
    [(name, url)] = links("https://hub.example.org", "https://example.org/qi", notebooks_dir="course/week1",
                          root=tmp_path)
    assert name == "a.ipynb"
    assert url.endswith("&targetpath=qi&urlpath=lab%2Ftree%2Fqi%2Fcourse%2Fweek1%2Fa.ipynb")


def test_root_defaults_to_the_current_folder(course, monkeypatch):
    monkeypatch.chdir(course)
    assert [n for n, _ in links("https://h.example", "https://example.org/r.git")] == [
        "00-start-here.ipynb", "01-run-charts.ipynb", "extra/ward data.ipynb"]


@pytest.mark.parametrize("hub,words", [
    ("qi.example.ac.uk", "must be a web address starting with https://"),
    ("ftp://qi.example.ac.uk", "must be a web address"),
    ("https://qi.example.ac.uk/?next=x", r"must not contain '\?' or '#'"),
])
def test_bad_hub_address(course, hub, words):
    with pytest.raises(CourseLinkError, match=words):
        links(hub, "https://github.com/college/qi.git", root=course)


@pytest.mark.parametrize("repo,words", [
    ("", "empty or contains spaces"),
    ("https://github.com/college/my course", "empty or contains spaces"),
    ("github.com/college/qi", "is not a git address"),
    ("https://github.com/", "does not end with a repository name"),
])
def test_bad_repository_address(course, repo, words):
    with pytest.raises(CourseLinkError, match=words):
        links("https://qi.example.ac.uk", repo, root=course)


@pytest.mark.parametrize("branch", ["", "-main", "main..x", "my branch", "main.lock", "a:b"])
def test_bad_branch(course, branch):
    with pytest.raises(CourseLinkError, match="not a valid git branch name"):
        links("https://qi.example.ac.uk", "https://github.com/c/qi.git", branch=branch, root=course)


def test_missing_or_empty_notebooks_folder(tmp_path):
    with pytest.raises(CourseLinkError, match="there is no folder 'notebooks'"):
        links("https://h.example", "https://example.org/r.git", root=tmp_path)
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(CourseLinkError, match="holds no notebooks"):
        links("https://h.example", "https://example.org/r.git", root=tmp_path)
    with pytest.raises(CourseLinkError, match="must be a folder inside the course"):
        links("https://h.example", "https://example.org/r.git", notebooks_dir="../elsewhere", root=tmp_path)


def test_error_is_a_qikit_error_and_a_value_error():
    assert issubclass(CourseLinkError, QIError) and issubclass(CourseLinkError, ValueError)


def test_main_prints_a_line_per_notebook(course, capsys):
    status = main(["--hub", "https://qi.example.ac.uk", "--repo", "https://github.com/c/qi.git",
                   "--branch", "live", "--root", str(course)])
    out = capsys.readouterr().out.splitlines()
    assert status == 0 and len(out) == 3
    # names padded to the longest, "extra/ward data.ipynb" (21 characters), then two spaces
    assert out[0].startswith("00-start-here.ipynb    https://qi.example.ac.uk/hub/user-redirect/git-pull?")
    assert "&branch=live&" in out[0]


def test_main_markdown_and_errors(course, capsys):
    assert main(["--hub", "https://h.example", "--repo", "https://example.org/r.git", "--root", str(course),
                 "--markdown"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("- [00-start-here](https://h.example/hub/user-redirect/git-pull?repo=")
    assert main(["--hub", "h.example", "--repo", "https://example.org/r.git", "--root", str(course)]) == 2
    assert capsys.readouterr().err.startswith("qikit course links: the hub address 'h.example'")


# --- qikit course publish: the notebooks-only repository the links point at --------------------------
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from qikit.hosting.publish import PublishError, publish  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "course" / "deploy" / "README.md"
needs_git = pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
# Text only grading material holds, split here so this file is not itself grading material.
GRADING_TEXT = ["BEGIN " + "SOLUTION", "BEGIN " + "HIDDEN TESTS", "END " + "HIDDEN TESTS"]


def guide_block(marker: str) -> list[list[str]]:
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", GUIDE.read_text(), re.S)
    assert m, f"the hosting guide has no {marker} block"
    return [shlex.split(line) for line in m.group(1).splitlines() if line.strip()]


def run_words(words: list[str], cwd: Path, remote: str) -> subprocess.CompletedProcess:
    """A line of the guide as written, with two stand-ins: the clone's own qikit for `.venv/bin/qikit`, and a
    local bare repository for the college's GitHub address."""
    words = [str(Path(sys.executable).with_name("qikit")) if w == ".venv/bin/qikit" else
             remote if w.startswith("https://github.com/your-college/") else w for w in words]
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    return subprocess.run(words, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


@needs_git
def test_guide_publish_and_links_blocks_as_written(tmp_path):
    """The guide's two blocks, from a clone of this repository: the published repository, cloned as a course
    link clones it, holds every course notebook and its data and nothing of the grader's."""
    clone = tmp_path / "qikit"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    remote = tmp_path / "remote" / "qikit-notebooks.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    for words in guide_block("course-publish"):
        out = run_words(words, clone, f"file://{remote}")
        assert out.returncode == 0, (words, out.stdout, out.stderr)
    published = tmp_path / "qikit-notebooks"  # ../qikit-notebooks from the clone
    assert (published / ".git").is_dir()

    # What a trainee's link gets: a clone of the pushed repository.
    trainee = tmp_path / "trainee"
    subprocess.run(["git", "clone", "--quiet", f"file://{remote}", str(trainee)], check=True, timeout=120)
    got = sorted(p.relative_to(trainee).as_posix() for p in trainee.rglob("*") if p.is_file()
                 and ".git" not in p.relative_to(trainee).parts)
    course_notebooks = subprocess.run(["git", "ls-files", "notebooks"], cwd=clone, capture_output=True,
                                      text=True, check=True).stdout.split()
    assert got == sorted([*course_notebooks, ".qikit-published"])
    # every notebook of the series reaches the trainee (12 today), and nothing but notebooks and their data
    assert {f"notebooks/{p.name}" for p in (clone / "notebooks").glob("[0-9][0-9]-*.ipynb")} <= set(got)
    assert len([p for p in got if p.endswith(".ipynb")]) >= 12
    assert not [p for p in got if p.split("/")[0] in {"assignments", "course", "tests", "qikit", "benchmarks"}]
    for p in got:
        text = (trainee / p).read_text(errors="replace")
        assert not [t for t in GRADING_TEXT if t in text], p
    # No history of the course's comes along: one commit, the publish.
    log = subprocess.run(["git", "log", "--oneline"], cwd=trainee, capture_output=True, text=True).stdout
    assert len(log.splitlines()) == 1
    # Every solution of the course is somewhere in the clone, and nowhere in what trainees get.
    sources = list((clone / "assignments" / "source").rglob("*.ipynb"))
    assert sources and all(any(t in s.read_text() for t in GRADING_TEXT[:1]) for s in sources)

    # The links block, as written: one link per published notebook, for the published repository.
    plain, markdown = guide_block("course-links")
    out = run_words(plain, clone, f"file://{remote}")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(p.split("/", 1)[1] for p in got if p.endswith(".ipynb"))
    for line in lines:
        query = parse_qs(urlsplit(line.split()[1]).query)
        assert query["repo"] == [f"file://{remote}"] and query["targetpath"] == ["qikit-notebooks.git"[:-4]]
    out = run_words(markdown, clone, f"file://{remote}")
    series = len(list((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")))  # one link per notebook of the series
    assert out.returncode == 0 and out.stdout.count("](https://qi.example.ac.uk/hub/user-redirect/") == series


@pytest.fixture
def course_clone(tmp_path):
    """A small course folder (not a git clone): two notebooks with data, and the grader's folders beside."""
    root = tmp_path / "course"
    (root / "notebooks" / "data").mkdir(parents=True)
    (root / "notebooks" / "00-start.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1",
                                                                              "metadata": {}}]}))
    (root / "notebooks" / "01-run-charts.ipynb").write_text(json.dumps({"cells": []}))
    (root / "notebooks" / "data" / "ward.csv").write_text("week,falls\n1,3\n")
    (root / "assignments" / "source" / "a1").mkdir(parents=True)
    (root / "assignments" / "source" / "a1" / "a1.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": "### " + GRADING_TEXT[0] + "\nx = 1",
         "metadata": {"nbgrader": {"solution": True, "grade": False, "grade_id": "x"}}}]}))
    return root


@needs_git
def test_publish_copies_the_notebooks_only_and_updates(course_clone, tmp_path):
    dest = tmp_path / "out"
    report = publish(dest, course_clone)
    assert report.files == ["notebooks/00-start.ipynb", "notebooks/01-run-charts.ipynb", "notebooks/data/ward.csv"]
    assert report.changed and len(report.commit) == 40
    assert "Published 2 notebooks and 1 other files" in report.lines()[0]
    again = publish(dest, course_clone)
    assert not again.changed and again.commit == report.commit
    (course_clone / "notebooks" / "01-run-charts.ipynb").unlink()  # a notebook withdrawn from the course
    third = publish(dest, course_clone)
    assert third.changed and not (dest / "notebooks" / "01-run-charts.ipynb").exists()


@needs_git
@pytest.mark.parametrize("plant, why", [
    (lambda r: shutil.copy(r / "assignments" / "source" / "a1" / "a1.ipynb", r / "notebooks" / "a1.ipynb"),
     "nbgrader's marker"),
    (lambda r: (r / "notebooks" / "solution.py").write_text("# " + GRADING_TEXT[1] + "\n"), "nbgrader's marker"),
    (lambda r: (r / "notebooks" / "graded.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": {"grade": True, "points": 1}}}]})),
     "grading metadata"),
    (lambda r: os.symlink(r / "assignments" / "source", r / "notebooks" / "answers"), "symbolic link"),
    (lambda r: (r / "notebooks" / "gradebook.db").write_bytes(b"SQLite format 3\0"), "grader's"),
    (lambda r: (r / "notebooks" / "marks.sqlite").write_bytes(b"SQLite format 3\0"), "database file"),
    (lambda r: shutil.copytree(r / "assignments", r / "notebooks" / "assignments"), "grader's"),
])
def test_publish_refuses_grading_material_and_writes_nothing(course_clone, tmp_path, plant, why):
    plant(course_clone)
    dest = tmp_path / "out"
    with pytest.raises(PublishError, match=why) as info:
        publish(dest, course_clone)
    assert "nothing was published" in str(info.value)
    assert not dest.exists()


@needs_git
def test_publish_refuses_a_destination_it_did_not_make_or_inside_the_course(course_clone, tmp_path, capsys):
    with pytest.raises(PublishError, match="inside the course's clone"):
        publish(course_clone / "published", course_clone)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.docx").write_text("mine")
    with pytest.raises(PublishError, match="no earlier `qikit course publish` wrote"):
        publish(busy, course_clone)
    assert sorted(p.name for p in busy.iterdir()) == ["thesis.docx"]
    from qikit.cli import main as cli_main

    assert cli_main(["course", "publish", str(busy), "--root", str(course_clone)]) == 2
    assert capsys.readouterr().err.startswith("qikit course publish: ")
    assert cli_main(["course", "publish", str(tmp_path / "fresh"), "--root", str(course_clone)]) == 0
    assert "Published 2 notebooks" in capsys.readouterr().out
