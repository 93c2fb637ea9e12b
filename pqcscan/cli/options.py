"""Reusable click option types and decorators."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pqcscan.catalog import QuantumStatus

STATUS_CHOICE = click.Choice([s.value for s in QuantumStatus], case_sensitive=False)

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class ByteSize(click.ParamType):  # type: ignore[type-arg]
    """``16M``, ``512k``, ``2G`` or a plain number of bytes."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a size such as 512k, 16M or 2G", param, ctx)
        return int(match.group(1)) * _UNITS[match.group(2).lower()]


F = TypeVar("F", bound=Callable[..., Any])


def fail_on_option() -> Callable[[F], F]:
    return click.option(
        "--fail-on",
        "fail_on",
        multiple=True,
        type=STATUS_CHOICE,
        metavar="STATUS",
        help="Exit with code 1 when a finding has this quantum status (repeatable): "
        + ", ".join(s.value for s in QuantumStatus)
        + ".",
    )
