"""Grading machinery for the qikit course: running student code in a sandbox, and reports on the results.

Nothing here is imported by ``import qikit`` and no computation module imports it: it is used by the
course's nbgrader configuration (``course/nbgrader_config.py``), ``course/grade.py`` and a hub's grader
service. See ``qikit.grading.sandbox``.
"""
