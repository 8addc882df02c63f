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
