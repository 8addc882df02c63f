"""JupyterLab for a trainee working alone (the README's course command): the course, without nbgrader.

nbgrader's extensions are for instructors (formgrader, Create Assignment, Course List) or need a
course's exchange on a hub (Assignments, Validate). On a laptop they only confuse: Validate says
"Success! Your notebook passes all the tests" for a notebook with nothing answered. The hub gives
each role its own extensions (course/deploy/qikit_hub_roles.py); this file does the same for the
course command, which loads it with ``--config=course/lab-trainee/jupyter_lab_config.py``.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": False,
    "jupyter_lsp": False,  # no language server is installed; looking for them slows every start
}
# JupyterLab's plug-ins: page_config.json in this folder disables nbgrader's.
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "settings")
