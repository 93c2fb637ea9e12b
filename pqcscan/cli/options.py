"""Reusable click option types and decorators."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pqcscan.catalog import QuantumStatus
from pqcscan.errors import UsageError

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


PASSWORD_ENV = "PQCSCAN_PASSWORD"


def gather_passwords(
    values: tuple[str, ...], env_names: tuple[str, ...], files: tuple[Path, ...]
) -> tuple[str, ...]:
    out = list(values)
    for name in env_names:
        value = os.environ.get(name)
        if value is None:
            raise UsageError(f"--password-env: environment variable {name} is not set")
        out.append(value)
    if not env_names and PASSWORD_ENV in os.environ:
        out.append(os.environ[PASSWORD_ENV])
    for file in files:
        try:
            out.extend(
                line.rstrip("\r\n") for line in file.read_text().splitlines() if line.strip()
            )
        except OSError as exc:
            raise UsageError(f"--password-file: cannot read {file}: {exc.strerror}") from exc
    return tuple(dict.fromkeys(out))


def password_options() -> Callable[[F], F]:
    """``--password``, ``--password-env`` and ``--password-file`` (for keystores and
    encrypted keys; passwords are used in memory and never recorded)."""

    def decorate(f: F) -> F:
        f = click.option(
            "--password-file",
            "password_files",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Read passwords from a file, one per line.",
        )(f)
        f = click.option(
            "--password-env",
            "password_envs",
            multiple=True,
            metavar="NAME",
            help="Read a password from this environment variable (repeatable) "
            f"[default: {PASSWORD_ENV} if set].",
        )(f)
        return click.option(
            "--password",
            "passwords",
            multiple=True,
            metavar="TEXT",
            help="Password for PKCS#12/JKS stores and encrypted keys (repeatable; "
            "visible to other local users: prefer --password-env).",
        )(f)

    return decorate


def file_scan_options(default_excludes: str) -> Callable[[F], F]:
    """``--exclude``, ``--no-default-excludes`` and ``--jobs`` of the file scans;
    ``default_excludes`` says what the defaults skip (for the help text)."""

    def decorate(f: F) -> F:
        f = click.option(
            "--jobs",
            type=click.IntRange(min=0),
            default=0,
            show_default="one per CPU",
            help="Processes that read files in parallel (1: in the main process).",
        )(f)
        f = click.option(
            "--no-default-excludes",
            is_flag=True,
            help=f"Also descend into {default_excludes}.",
        )(f)
        return click.option(
            "--exclude",
            "excludes",
            multiple=True,
            metavar="GLOB",
            help="Skip files and folders matching this glob (repeatable).",
        )(f)

    return decorate


def existing_paths(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """``paths`` made absolute; a UsageError naming the ones that do not exist."""
    if not paths:
        raise UsageError("give the files and folders to scan (or --resume RUN)")
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    return tuple(p.absolute() for p in paths)
