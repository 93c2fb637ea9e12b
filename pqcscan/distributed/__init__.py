"""Distributed network scans: one run planned as jobs in the shared PostgreSQL inventory,
executed by ``pqcscan worker`` processes on any number of machines.

- :mod:`.jobs`: a job's payload (a batch of units: endpoints and targets not contacted) as
  JSON bytes;
- :mod:`.queue`: the job queue, `pgqueuer <https://pypi.org/project/pgqueuer/>`_ on the
  inventory's database through psycopg 3: installing its tables, enqueueing, counting;
- :mod:`.planner`: expands a target plan into jobs and opens the scan run;
- :mod:`.worker`: takes jobs, scans their units with the run's collector (same pacing,
  timeouts and scope) and writes them through the inventory's recorder with their unit keys.

A job whose worker dies is taken over by another worker once its lease (the heartbeat
timeout) runs out; units the dead worker had written are skipped, so every unit is stored
once. See docs/distributed.md.
"""
