"""Stands in for the ``rfc3987-syntax`` package in the hub's servers, so that it is never imported there.

``jsonschema`` imports ``rfc3987_syntax`` (when installed) to check the "iri" string format, and that
package builds an Earley parser of RFC 3987's grammar at import: seconds of CPU in every Jupyter
server start (jupyter_server -> jupyter_events -> jsonschema), the largest single cost of a spawn.
No schema used by Jupyter's servers has an "iri" format; without the package, jsonschema simply does not
check that format. The hub puts this folder first on ``PYTHONPATH`` of the servers it starts
(jupyterhub_config.py); nothing else is affected.
"""

raise ImportError("rfc3987_syntax is not loaded in the hub's servers (see course/deploy/fast-start/)")
