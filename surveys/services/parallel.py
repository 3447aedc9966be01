"""Sending one queue from several worker processes at once (the command's --workers, and the benchmark).

Each process runs send_queued(): batches are claimed under SKIP LOCKED on PostgreSQL (a conditional
UPDATE on SQLite), so workers share the queue and never send a message twice (services/messaging/sending.py).
Processes, not threads: rendering and building e-mails is Python work that threads would serialise.
Children are forked, so they keep this process's settings; database connections are closed first
(Django's advice for fork). Inside a transaction, or with an in-memory SQLite database, the queue is
sent in-process.
"""

import multiprocessing
import queue
import traceback
from dataclasses import asdict, fields
from multiprocessing.queues import Queue
from typing import Any

from django.db import connections

from respondents.models import Campaign

from .messaging import SendReport, send_queued


def can_fork_workers() -> bool:
    """Not from inside a transaction (the children could not see its rows, and closing its connection
    would end it), nor with an in-memory SQLite database (nothing to share)."""
    db = connections["default"]
    return not db.in_atomic_block and not (db.vendor == "sqlite" and db.is_in_memory_db())


def send_queued_in_processes(*, campaign: Campaign, workers: int) -> SendReport:
    """send_queued(campaign) in `workers` processes; their reports added up. A worker that dies leaves
    its claimed messages `sending`: they go again after the lease, and its death is listed as an outage."""
    if workers <= 1 or not can_fork_workers():
        return send_queued(campaign=campaign)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_work, args=(campaign.pk, results), name=f"send-worker-{n}")
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    reports = []
    while len(reports) < len(processes):  # read before join: a child blocks until its report is read
        try:
            reports.append(results.get(timeout=1))
        except queue.Empty:
            if not any(process.is_alive() for process in processes) and results.empty():
                break  # a child died without a word (killed)
    for process in processes:
        process.join()
    total = SendReport()
    if len(reports) < len(processes):
        codes = [process.exitcode for process in processes]
        total.outages.append(
            f"a sending worker died (exit codes {codes}); its messages go again after the lease"
        )
    for report in reports:
        if isinstance(report, str):
            total.outages.append(f"a sending worker stopped: {report}")
            continue
        for item in fields(SendReport):
            setattr(total, item.name, getattr(total, item.name) + report[item.name])
    return total


def _work(campaign_id: int, results: Queue[dict[str, Any] | str]) -> None:
    connections.close_all()  # the parent's connections are not this process's to use
    try:
        report = send_queued(campaign=Campaign.objects.get(pk=campaign_id))
        results.put(asdict(report))
    except BaseException as exc:  # reported to the parent, which lists it as an outage
        results.put(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    finally:
        connections.close_all()
