"""Hosting the course: pieces the hub, the grader and the Kubernetes image use (not imported by ``qikit``).

- :mod:`qikit.hosting.collect`: nbgrader's collect, accepting a submission only from its owner.
- :mod:`qikit.hosting.backup`: ``qikit course backup`` / ``restore`` of a course's gradebook, course directory
  and exchange folder.
"""
