"""Summaries run in worker processes with a budget: past it the worker is killed and the
user told; a cancelled or shut-down job never keeps running. Real processes, real engine."""

from __future__ import annotations

import asyncio
import json
import os
import time
from functools import partial

import pytest

from bot.errors import ShuttingDown, TooComplex
from bot.pipeline import Options, TextSource, summarize_local
from bot.service import SummaryService
from bot.workers import Budget, WorkerPool
from config.settings import load_settings
from tests.conftest import DATA, SEED


def _big_text() -> str:
    """1.7 MB of real news (the CNN/DM dev set, four times): ~0.5 s of engine work."""
    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return "\n\n".join(row["article"] for row in rows) * 4


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


async def test_over_budget_the_worker_is_killed_and_the_next_summary_works() -> None:
    pool = WorkerPool(1, Budget(seconds=0.15, memory_mb=1024))
    try:
        await pool.start()
        [worker] = pool._idle
        started = time.monotonic()
        with pytest.raises(TooComplex, match="too complex to summarize"):
            await pool.run(partial(summarize_local, TextSource(_big_text()), Options(), None))
        assert time.monotonic() - started < 2
        assert not _alive(worker.process.pid)
        seed = TextSource(SEED.read_text(encoding="utf-8"))
        _, summary = await pool.run(partial(summarize_local, seed, Options(), None))
        assert summary.language == "fr" and len(summary.summary) == 3
    finally:
        pool.close()


async def test_a_job_that_wants_too_much_memory_is_refused() -> None:
    pool = WorkerPool(1, Budget(seconds=10, memory_mb=512))
    try:
        with pytest.raises(TooComplex, match="more memory"):
            await pool.run(partial(bytearray, 1024**3))
        assert await pool.run(partial(len, "still works")) == 11
    finally:
        pool.close()


async def test_a_cancelled_job_kills_its_worker() -> None:
    pool = WorkerPool(1, Budget(seconds=60))
    try:
        await pool.start()
        [worker] = pool._idle
        job = asyncio.create_task(pool.run(partial(time.sleep, 60)))
        await asyncio.sleep(0.3)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        for _ in range(50):
            if not _alive(worker.process.pid):
                break
            await asyncio.sleep(0.05)
        assert not _alive(worker.process.pid)
    finally:
        pool.close()


async def test_close_stops_running_jobs_at_once() -> None:
    pool = WorkerPool(2, Budget(seconds=60))
    jobs = [asyncio.create_task(pool.run(partial(time.sleep, 60))) for _ in range(2)]
    await asyncio.sleep(1.0)  # both running (the first start includes the forkserver)
    pids = [w.process.pid for w in pool._all]
    started = time.monotonic()
    pool.close()
    for job in jobs:
        with pytest.raises(ShuttingDown):
            await job
    assert time.monotonic() - started < 3
    assert pids and not any(_alive(pid) for pid in pids)


def test_stalled_only_when_every_slot_is_stuck_past_its_budget() -> None:
    pool = WorkerPool(2, Budget(seconds=1))
    now = time.monotonic()
    pool._busy = {1: now - 30}
    assert not pool.stalled()  # one slot is still free
    pool._busy = {1: now - 30, 2: now - 0.5}
    assert not pool.stalled()  # one job is within its budget
    pool._busy = {1: now - 30, 2: now - 12}
    assert pool.stalled()


async def test_the_service_answers_too_complex_and_frees_the_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUMMARY_TIMEOUT", "0.15")
    monkeypatch.setenv("MAX_CONCURRENT_SUMMARIES", "1")
    service = SummaryService(load_settings(_env_file=None))
    try:
        with pytest.raises(TooComplex):
            await service.summarize(TextSource(_big_text()), service.options(), door="api")
        seed = TextSource(SEED.read_text(encoding="utf-8"))
        _, summary = await service.summarize(seed, service.options(), door="api")
        assert summary.language == "fr"
        assert not service.stalled()
    finally:
        service.close()
