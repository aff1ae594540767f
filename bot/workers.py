"""Worker processes for CPU work on untrusted input, each job within a time and memory budget.

A thread cannot be stopped, so a file that makes the engine work for an hour would hold a
thread (and a summary slot) for an hour. Here each job runs in a worker process: past
its time budget the process is killed and the caller gets `TooComplex`; a job that asks
for more memory than its budget (RLIMIT_AS) fails inside the worker the same way. A
cancelled caller (a client that hung up, SIGTERM) kills its worker too, so nothing keeps
running for nobody. Workers are forked from a forkserver that has already loaded the
engine and its language model, so a new one starts in milliseconds and shares that
memory; idle ones are kept for the next job.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from bot.errors import ShuttingDown, TooComplex

log = logging.getLogger("precis.workers")

T = TypeVar("T")

PRELOAD = "bot.warm"  # imported by the forkserver: the engine, warmed up


def boot() -> None:
    """Start the forkserver now: it loads the engine (~0.5 s) while the caller goes on."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload([PRELOAD])
    forkserver.ensure_running()


@dataclass(frozen=True)
class Budget:
    seconds: float = 30.0  # wall time for one job
    memory_mb: int | None = 1024  # address space of a worker (None: no limit)


def _serve(conn: Connection, memory_mb: int | None) -> None:
    """A worker's life: run the jobs it is sent until the pipe closes."""
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            func = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, func()))
        except MemoryError:
            conn.send((False, TooComplex("That input needs more memory than a summary may use.")))
        except Exception as exc:  # sent back and raised in the caller, who knows what it is
            conn.send((False, exc))


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int | None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child, memory_mb), daemon=True)
        self.process.start()
        child.close()

    def roundtrip(self, func: Callable[[], Any]) -> tuple[bool, Any]:
        self.conn.send(func)
        answer: tuple[bool, Any] = self.conn.recv()
        return answer

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """At most `size` jobs run at once (others wait their turn; the budget starts when a
    job does)."""

    def __init__(self, size: int, budget: Budget = Budget()) -> None:
        self.size = size
        self.budget = budget
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload([PRELOAD])
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._busy: dict[int, float] = {}  # job id -> start (monotonic)
        self._jobs = 0
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    async def start(self) -> None:
        """Start the forkserver (it loads the engine, ~0.5 s) and one worker now, not at the
        first summary."""
        if not self._idle and not self._closed:
            self._idle.append(await asyncio.to_thread(self._start))

    def stalled(self) -> bool:
        """Every slot busy past its budget (and then some): the kills are not working."""
        now = time.monotonic()
        late = [s for s in self._busy.values() if now - s > self.budget.seconds + 10]
        return len(late) >= self.size

    async def run(self, func: Callable[[], T]) -> T:
        """`func()` in a worker process, within the budget; its exception is re-raised."""
        async with self._slots:
            return await self._run(func)

    async def _run(self, func: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        worker = self._idle.pop() if self._idle else await asyncio.to_thread(self._start)
        self._jobs += 1
        job = self._jobs
        self._busy[job] = time.monotonic()
        try:
            ok, value = await asyncio.wait_for(
                asyncio.to_thread(worker.roundtrip, func), self.budget.seconds
            )
        except TimeoutError:
            self._discard(worker, "over its time budget")
            raise TooComplex(
                "That is too complex to summarize: it would take longer than "
                f"{self.budget.seconds:.0f} s. Try a shorter or simpler file."
            ) from None
        except (EOFError, OSError):
            if self._closed:
                raise ShuttingDown("Précis is restarting; try again in a minute.") from None
            self._discard(worker, "died")
            raise TooComplex("That input made the summarizer fail; try a simpler file.") from None
        except BaseException:  # cancelled: nobody waits for the answer any more
            self._discard(worker, "cancelled")
            raise
        finally:
            self._busy.pop(job, None)
        if self._closed:
            worker.kill()
        else:
            self._idle.append(worker)
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.budget.memory_mb)
        self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker, why: str) -> None:
        log.info("summary worker %s %s: killed", worker.process.pid, why)
        self._all.discard(worker)
        worker.kill()

    def close(self) -> None:
        """Kill every worker now (SIGTERM must not wait for a long job)."""
        self._closed = True
        for worker in list(self._all):  # busy ones too: their callers get an error
            worker.kill()
        self._all.clear()
        self._idle.clear()
