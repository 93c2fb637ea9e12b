"""A job's payload: a batch of a run's units, as compact JSON bytes.

Units are :class:`~pqcscan.targets.model.Endpoint` values (to contact) and
:class:`~pqcscan.targets.specs.NotContacted` targets (recorded as error items without a
packet sent), exactly what a :class:`~pqcscan.targets.specs.TargetPlan` yields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pqcscan.results import ErrorKind
from pqcscan.targets.model import Endpoint
from pqcscan.targets.specs import NotContacted

Unit = Endpoint | NotContacted

#: Units per job unless told otherwise: small enough that a dead worker costs little, large
#: enough that the queue holds few rows per run.
DEFAULT_BATCH = 64


def encode_unit(unit: Unit) -> dict[str, Any]:
    """One unit as a JSON object."""
    if isinstance(unit, Endpoint):
        out: dict[str, Any] = {"a": unit.address, "p": unit.port}
        if unit.hostname is not None:
            out["h"] = unit.hostname
        if unit.protocol is not None:
            out["s"] = unit.protocol
        return out
    return {"n": unit.locator, "k": unit.kind.value, "m": unit.message}


def decode_unit(value: dict[str, Any]) -> Unit:
    """The unit of :func:`encode_unit`."""
    if "n" in value:
        return NotContacted(str(value["n"]), ErrorKind(value["k"]), str(value["m"]))
    return Endpoint(str(value["a"]), int(value["p"]), value.get("h"), value.get("s"))


def encode_job(units: Sequence[Unit]) -> bytes:
    """A job's payload."""
    return json.dumps({"units": [encode_unit(u) for u in units]}, separators=(",", ":")).encode()


def decode_job(payload: bytes | None) -> list[Unit]:
    """The units of a job's payload (an empty payload holds none)."""
    if not payload:
        return []
    return [decode_unit(v) for v in json.loads(payload)["units"]]
