"""Distributed network scans through the shared PostgreSQL inventory, and ``--shard K/N``.

Real things only: the PostgreSQL test server, pgqueuer's tables installed by
``pqcscan init --queue``, lab servers, silent listeners and closed ports on loopback, worker
processes killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pqcscan.cli import main
from pqcscan.cli.worker import collector_for
from pqcscan.demo.lab import Lab
from pqcscan.demo.lab.postgres import PostgresServer
from pqcscan.distributed import queue
from pqcscan.distributed.jobs import decode_job, encode_job
from pqcscan.distributed.worker import Worker, WorkerOptions, joined
from pqcscan.inventory import Inventory
from pqcscan.results import CollectedItem, ErrorKind, ScanError
from pqcscan.targets.model import Endpoint
from pqcscan.targets.scope import Scope
from pqcscan.targets.specs import NotContacted


def pqcscan(db: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqcscan", "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def invoke(db: str, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (saves an interpreter start): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--db", db, *args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def sql(url: str, query: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(queue.libpq_url(url), autocommit=True) as conn:
        cur = conn.execute(query, params or None)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def one(url: str, query: str, *params: object) -> Any:
    return sql(url, query, *params)[0][0]


def free_port() -> int:
    """A port nothing listens on, on any address (so 127.0.0.x:port is refused)."""
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def silent_listeners(count: int) -> Iterator[list[int]]:
    """Ports on 127.0.0.1 that accept TCP (in the kernel's backlog) and never answer."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(64)
            sockets.append(s)
        yield [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture
def queue_url(postgres_url: str) -> str:
    code, out, err = invoke(postgres_url, "init", "--queue")
    assert code == 0, err
    assert "job queue installed" in out
    return postgres_url


def test_job_payload_round_trip() -> None:
    units = [
        Endpoint("127.0.0.2", 443),
        Endpoint("::1", 8443, "host.example", "https"),
        NotContacted("nowhere.example:443", ErrorKind.UNRESOLVED, "does not resolve"),
    ]
    assert decode_job(encode_job(units)) == units
    assert decode_job(None) == []


def test_sqlite_inventories_refuse_distributed_scans(tmp_path: Path) -> None:
    db = str(tmp_path / "inv.db")
    code, _, err = invoke(db, "scan", "tls", "127.0.0.1:1", "--distribute")
    assert code == 2
    assert "need a PostgreSQL inventory" in err
    code, _, err = invoke(db, "worker", "--until-idle")
    assert code == 2
    assert "need a PostgreSQL inventory" in err
    code, _, err = invoke(db, "init", "--queue")
    assert code == 2
    assert "need a PostgreSQL inventory" in err
    assert not Path(db).exists()  # refused before the inventory was opened


def test_the_queue_is_installed_explicitly_never_by_surprise(postgres_url: str) -> None:
    code, _, err = invoke(postgres_url, "scan", "tls", "127.0.0.1:1", "--distribute")
    assert code == 2
    assert "pqcscan init --queue" in err
    assert one(postgres_url, "SELECT count(*) FROM scan_runs") == 0
    assert one(postgres_url, "SELECT to_regclass('pgqueuer') IS NULL")
    code, out, err = invoke(postgres_url, "init", "--queue")
    assert (code, out.splitlines()[-1]) == (0, "job queue installed"), err
    code, out, _ = invoke(postgres_url, "init", "--queue")
    assert (code, out.splitlines()[-1]) == (0, "job queue current")


def test_planning_checks_scope_and_records_what_workers_need(queue_url: str) -> None:
    code, _, err = invoke(
        queue_url, "scan", "tls", "127.0.1.0/30:443", "--allow", "127.0.0.0/24", "--distribute"
    )
    assert code == 2
    assert "outside the allowed scope" in err
    port = free_port()
    code, out, err = invoke(
        queue_url,
        "scan", "tls", f"127.0.0.2-11:{port}", f"127.0.0.5:{port}",
        "--allow", "127.0.0.0/24", "--exclude", "127.0.0.3",
        "--distribute", "--job-size", "4", "--timeout", "1",
    )  # fmt: skip
    assert code == 0, err
    run = int(out.strip())
    assert "9 units in 3 jobs, 1 duplicate endpoints dropped" in err
    inv = Inventory.open(queue_url)
    record = inv.run(run)
    assert record is not None and record.status == "running"
    spec = record.arguments["distributed"]
    assert (spec["command"], spec["units"], spec["jobs"], spec["batch"]) == ("tls", 9, 3, 4)
    assert spec["settings"]["timeout"] == 1
    assert {r["text"] for r in spec["scope"]} == {"127.0.0.0/24", "127.0.0.3"}
    scope = Scope.from_records(spec["scope"])  # what a worker checks again
    assert scope.contains("127.0.0.4")
    assert not scope.contains("127.0.0.3")
    assert not scope.contains("127.0.1.1")
    jobs = sql(queue_url, "SELECT payload FROM pgqueuer WHERE entrypoint = %s", spec["queue"])
    units = [u for (payload,) in jobs for u in decode_job(payload)]
    assert sorted(str(u.locator) for u in units) == sorted(
        f"127.0.0.{i}:{port}" for i in (2, 4, 5, 6, 7, 8, 9, 10, 11)
    )
    inv.close()


def test_a_job_taken_over_after_its_worker_died_is_stored_once(queue_url: str) -> None:
    """A worker wrote its job's rows and died before acknowledging it: the job is picked
    again after the lease, its recorded units are skipped, the rest is scanned, and an
    endpoint put in the job outside the run's scope is refused by the worker too."""
    port = free_port()
    code, out, err = invoke(
        queue_url,
        "scan", "tls", f"127.0.0.2-9:{port}", "--allow", "127.0.0.0/24",
        "--distribute", "--job-size", "4", "--timeout", "1",
    )  # fmt: skip
    assert code == 0, err
    run = int(out.strip())
    inv = Inventory.open(queue_url)
    record = inv.run(run)
    assert record is not None
    name = record.arguments["distributed"]["queue"]
    [(first, payload)] = sql(
        queue_url,
        "SELECT id, payload FROM pgqueuer WHERE entrypoint = %s ORDER BY id LIMIT 1",
        name,
    )
    # The dead worker: its rows are written, its job stays picked, its heartbeat stops.
    dead = decode_job(payload)
    with joined(inv, run) as recorder:
        for unit in dead:
            key = unit.locator
            recorder.add(CollectedItem(key, errors=(ScanError(key, ErrorKind.REFUSED, "x"),)))
    sql(
        queue_url,
        "UPDATE pgqueuer SET status = 'picked', heartbeat = now() - interval '1 hour' "
        "WHERE id = %s",
        first,
    )
    # A unit outside the scope, smuggled into the queue: the worker must not contact it.
    with socket.socket() as trap:
        trap.bind(("127.0.1.7", 0))
        trap.listen(8)
        trap.setblocking(False)
        outside = Endpoint("127.0.1.7", int(trap.getsockname()[1]))
        asyncio.run(queue.enqueue(queue_url, name, [encode_job([outside])]))

        stats = Worker(inv, collector_for, WorkerOptions(lease=1, poll=0.2, until_idle=True)).run()
        with pytest.raises(BlockingIOError):
            trap.accept()  # nobody connected
    # The dead worker's 4 units were skipped (a job may also be picked again when its
    # acknowledgement is slower than this test's 1 s lease: then all of it is skipped).
    assert stats.skipped >= 4
    assert stats.units == 5  # the other job's 4 and the smuggled one
    assert [s.status for s in stats.closed] == ["completed"]
    assert one(queue_url, "SELECT count(*) FROM scan_items WHERE run_id = %s", run) == 9
    errors = sql(queue_url, "SELECT locator, kind, message FROM scan_errors WHERE run_id = %s", run)
    assert len(errors) == 9  # one per unit: the dead worker's units were not redone
    kinds = {loc: kind for loc, kind, _ in errors}
    assert {m for loc, _, m in errors if loc in {u.locator for u in dead}} == {"x"}
    assert kinds[outside.locator] == "out-of-scope"
    assert all(kinds[f"127.0.0.{i}:{port}"] == "refused" for i in range(6, 10))
    assert one(queue_url, "SELECT count(*) FROM pgqueuer WHERE entrypoint = %s", name) == 0
    assert one(queue_url, "SELECT status FROM scan_runs WHERE id = %s", run) == "completed"
    inv.close()


def test_a_job_that_fails_in_the_worker_closes_its_run_as_failed(queue_url: str) -> None:
    port = free_port()
    code, out, err = invoke(
        queue_url, "scan", "tls", f"127.0.0.2-3:{port}", "--distribute", "--timeout", "1"
    )
    assert code == 0, err
    run = int(out.strip())
    inv = Inventory.open(queue_url)
    record = inv.run(run)
    assert record is not None
    name = record.arguments["distributed"]["queue"]
    asyncio.run(queue.enqueue(queue_url, name, [b"not a job"]))  # a corrupt job
    code, _, err = invoke(queue_url, "worker", "--until-idle", "--lease", "2", "--poll", "0.2")
    assert code == 0, err
    assert f"scan run {run} failed: 2 items" in err
    assert "pqcscan: warning: " in err  # pgqueuer's report of the failed job, one line
    assert "Traceback" not in err
    closed = inv.run(run)
    assert closed is not None and closed.status == "failed"
    assert closed.message is not None and f"--resume {run}" in closed.message
    assert closed.items == 2  # the good job was recorded
    inv.close()


def test_worker_usage_errors(queue_url: str, tmp_path: Path) -> None:
    code, _, err = invoke(queue_url, "worker", "--run", "99", "--until-idle")
    assert code == 2
    assert "there is no scan run 99" in err
    tree = tmp_path / "empty"
    tree.mkdir()
    code, _, err = invoke(queue_url, "-q", "scan", "certs", str(tree))
    assert code == 0, err
    code, _, err = invoke(queue_url, "worker", "--run", "1", "--until-idle")
    assert code == 2
    assert "not a distributed run" in err


def test_three_certs_shards_cover_every_file_once(tmp_path: Path) -> None:
    from pqcscan.demo import builders as b
    from pqcscan.demo.builders import keys as k

    pems = [b.issue(k.ec_key("P-256"), f"CN=shard{i}.example.test").pem for i in range(3)]
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(30):
        (tree / f"c{i:02}.pem").write_bytes(pems[i % 3])
    db = str(tmp_path / "inv.db")
    for shard in ("1/3", "2/3", "3/3"):
        code, _, err = invoke(db, "-q", "scan", "certs", str(tree), "--shard", shard, "--jobs", "1")
        assert code == 0, err
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT json_extract(r.arguments, '$.shard'), i.unit_key FROM scan_items i "
            "JOIN scan_runs r ON r.id = i.run_id"
        ).fetchall()
    keys = [key for _, key in rows]
    assert len(keys) == len(set(keys)) == 30
    assert {Path(key).name for key in keys} == {f"c{i:02}.pem" for i in range(30)}
    assert {shard for shard, _ in rows} == {"1/3", "2/3", "3/3"}
    code, _, err = invoke(db, "scan", "certs", str(tree), "--shard", "4/3")
    assert code == 2
    assert "K must be between 1 and N" in err


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(("pqc-hybrid", "classic-rsa2048", "weak-tls10"), host="127.0.0.1") as running:
        yield running


@pytest.mark.slow
def test_three_shards_cover_every_endpoint_once(lab: Lab, postgres_url: str) -> None:
    port = free_port()
    targets = [s.endpoint for s in lab.servers] + [f"127.0.0.2-41:{port}"]
    shards = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pqcscan",
                "-q",
                "--db",
                postgres_url,
                "scan",
                "tls",
                *targets,
                "--shard",
                f"{k}/3",
                "--timeout",
                "2",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2, 3)
    ]
    for process in shards:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 3, err  # the closed ports are recorded errors
    rows = sql(
        postgres_url,
        "SELECT r.arguments->>'shard', i.unit_key FROM scan_items i "
        "JOIN scan_runs r ON r.id = i.run_id",
    )
    by_shard: dict[str, set[str]] = {}
    for shard, key in rows:
        by_shard.setdefault(shard, set()).add(key)
    assert sorted(by_shard) == ["1/3", "2/3", "3/3"]
    assert all(by_shard.values())
    everything = [k for keys in by_shard.values() for k in keys]
    expected = {s.endpoint for s in lab.servers} | {f"127.0.0.{i}:{port}" for i in range(2, 42)}
    assert len(everything) == len(expected) == 43  # no endpoint in two shards
    assert set(everything) == expected
    assert one(postgres_url, "SELECT count(*) FROM scan_runs WHERE status = 'completed'") == 3
    # the lab's endpoints were scanned for real, each in exactly one shard's run
    hybrid = lab["pqc-hybrid"].endpoint
    assert (
        one(
            postgres_url,
            "SELECT count(*) FROM asset_sightings s JOIN assets a ON a.id = s.asset_id "
            "WHERE a.type = 'endpoint' AND s.locator = %s",
            hybrid,
        )
        == 1
    )


def _picked(url: str, name: str) -> list[tuple[int, str]]:
    return [
        (int(job), str(manager))
        for job, manager in sql(
            url,
            "SELECT id, queue_manager_id FROM pgqueuer WHERE entrypoint = %s AND status = 'picked'",
            name,
        )
    ]


@pytest.mark.slow
def test_four_workers_one_killed_every_endpoint_recorded_once(
    lab: Lab, queue_url: str, tmp_path: Path
) -> None:
    """The issue's test: 4 workers, one SIGKILLed while it holds jobs; the others take its
    jobs over after the lease; every endpoint ends with exactly one result."""
    closed = free_port()
    groups = 12
    with silent_listeners(groups) as silent:
        targets = [s.endpoint for s in lab.servers]
        for i, port in enumerate(silent):  # every job: one silent endpoint, three refused
            first = 2 + 3 * i
            targets += [f"127.0.0.1:{port}", f"127.0.0.{first}-{first + 2}:{closed}"]
        code, out, err = invoke(
            queue_url,
            "scan", "tls", *targets, "--distribute", "--job-size", "4",
            "--timeout", "2", "--budget", "3",
        )  # fmt: skip
        assert code == 0, err
        run = int(out.strip())
        units = len(lab.servers) + groups * 4
        inv = Inventory.open(queue_url)
        record = inv.run(run)
        assert record is not None
        name = record.arguments["distributed"]["queue"]
        inv.close()

        logs = {tag: tmp_path / f"worker-{tag}.log" for tag in "abcd"}
        workers = {
            tag: subprocess.Popen(
                [
                    sys.executable, "-m", "pqcscan", "--db", queue_url, "worker",
                    "--until-idle", "--lease", "3", "--poll", "0.3",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            for tag, log in logs.items()
        }  # fmt: skip
        try:
            deadline = time.monotonic() + 45
            identity: dict[str, str] = {}  # pgqueuer's queue manager id -> worker
            held: list[int] = []
            while not held:
                assert time.monotonic() < deadline, "no worker held a job long enough"
                for tag, log in logs.items():
                    if m := re.search(r"worker (\S+) started", log.read_text()):
                        identity[m.group(1)] = tag
                picked = _picked(queue_url, name)
                holders = {identity.get(manager) for _, manager in picked} - {None}
                if len(identity) == 4 and len(holders) >= 2:  # everyone up, jobs spread
                    victim = sorted(str(h) for h in holders)[0]
                    held = [j for j, m in picked if identity.get(m) == victim]
                time.sleep(0.05)
            os.kill(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait(10)
            for tag, process in workers.items():
                if tag != victim:
                    process.wait(timeout=max(1.0, deadline + 15 - time.monotonic()))
        finally:
            for process in workers.values():
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
        text = "\n".join(f"{t}: {p.read_text()}" for t, p in logs.items())
        assert workers[victim].returncode == -signal.SIGKILL
        assert all(p.returncode == 0 for t, p in workers.items() if t != victim), text

    # the victim's jobs were taken over and finished; nothing is left in the queue
    assert one(queue_url, "SELECT count(*) FROM pgqueuer WHERE entrypoint = %s", name) == 0
    finished = sql(
        queue_url,
        "SELECT DISTINCT job_id FROM pgqueuer_log WHERE job_id = ANY(%s) AND status = 'successful'",
        held,
    )
    assert sorted(j for (j,) in finished) == sorted(held), text
    for job in held:  # finished by another worker, not by the victim before it died
        done_by = [
            t for t, p in logs.items() if re.search(rf"job {job} of \d+ units done", p.read_text())
        ]
        assert done_by and victim not in done_by, text
    # every endpoint exactly once: one scan item, and one error row per refused endpoint
    assert one(queue_url, "SELECT count(*) FROM scan_items WHERE run_id = %s", run) == units
    refused = sql(
        queue_url,
        "SELECT locator, count(*) FROM scan_errors WHERE run_id = %s AND kind = 'refused' "
        "GROUP BY locator",
        run,
    )
    assert len(refused) == groups * 3
    assert {n for _, n in refused} == {1}
    silent_seen = {
        loc
        for (loc,) in sql(
            queue_url,
            "SELECT DISTINCT locator FROM scan_errors WHERE run_id = %s AND kind <> 'refused'",
            run,
        )
    }
    assert {f"127.0.0.1:{p}" for p in silent} <= silent_seen
    endpoints = sql(
        queue_url,
        "SELECT s.locator, count(*) FROM asset_sightings s JOIN assets a ON a.id = s.asset_id "
        "WHERE s.run_id = %s AND a.type = 'endpoint' GROUP BY s.locator",
        run,
    )
    assert {loc for loc, _ in endpoints} >= {s.endpoint for s in lab.servers}
    assert {n for _, n in endpoints} == {1}
    [(status, items)] = sql(queue_url, "SELECT status, items FROM scan_runs WHERE id = %s", run)
    assert (status, items) == ("completed", units)


@pytest.mark.slow
def test_a_worker_whose_database_goes_away_exits_with_the_inventory_code() -> None:
    with PostgresServer() as server:  # its own server: this test stops it
        url = server.create_database("lost")
        code, _, err = invoke(url, "init", "--queue")
        assert code == 0, err
        worker = subprocess.Popen(
            [sys.executable, "-m", "pqcscan", "--db", url, "worker", "--poll", "0.2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert worker.stderr is not None
            assert "started" in worker.stderr.readline()  # serving, waiting for runs
            server.stop()
            _, err = worker.communicate(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)
    assert worker.returncode == 4, err
    assert err.splitlines()[-1].startswith("pqcscan: error: lost the inventory database"), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_sigterm_stops_a_worker_cleanly(queue_url: str) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "pqcscan", "--db", queue_url, "worker", "--poll", "0.2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stderr is not None
        assert "started" in worker.stderr.readline()
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert worker.returncode == 0, err
    assert "worker done: 0 jobs" in err
