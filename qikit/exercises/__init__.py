"""Instant-feedback checks for the course notebooks, one module per notebook.

A notebook imports its module and passes the trainee's answer to a check, which returns a
:class:`Verdict` that prints as a plain-English sentence: right, partly right, not yet right (with
the reason), or not answered yet (for the ``...`` placeholder the notebook starts with)::

    from qikit.exercises import nb02
    my_aim = ...                      # the trainee replaces ... with an aim
    nb02.check_aim(my_aim)            # "… Not answered yet. ..."

The answers live here, not in the notebooks, so a trainee reading ahead does not see them. These
checks are formative (for learning); the graded coursework is in ``assignments/``.

Modules: ``nb00`` (start here), ``nb01`` (quality and QI), ``nb02`` (Model for Improvement),
``nb03`` (understanding the system), ``nb04`` (run charts), ``nb05`` (variation),
``nb06`` (control charts), ``nb07`` (PDSA cycles), ``nb08`` (Making Data Count), ``nb09`` (sustain and spread), ``nb10`` (people and change), ``nb11`` (your QI project). The kinds of question they share are
declared in :mod:`qikit.exercises.spec`.
"""

from __future__ import annotations

from ..display import install_error_display
from ._feedback import Verdict

__all__ = ["Verdict"]

# A notebook that imports its checks also gets qikit's errors as one short box (no-op outside IPython).
install_error_display()
