"""The TLS collector: its own wire code probes versions, suites, groups (PQC and hybrid
included), signature schemes and certificates of network endpoints.

See :mod:`.probes` for what is detected and :mod:`.collector` for the inventory mapping.
"""

from __future__ import annotations
