"""At most N fetches at once to one host: in this process (a semaphore per host) and, when
several worker processes share the database, across all of them (a leased slot in the
database, bot/feeds/shared.py). A worker killed holding a slot loses it when the lease
runs out; a database that cannot be reached for a slot lets the fetch go with the local
limit alone (logged), rather than stopping every poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator

from bot.feeds.schema import utcnow
from bot.feeds.store import Store

log = logging.getLogger("precis.feeds")

WAIT_MIN, WAIT_MAX = 0.01, 0.2  # polling a full host's slots: first and longest wait


class HostSlots:
    def __init__(
        self, store: Store, limit: int, owner: str, *, shared: bool, lease: float = 60.0
    ) -> None:
        self.store = store
        self.limit = limit
        self.owner = owner
        self.shared = shared
        self.lease = lease
        self._local: dict[str, asyncio.Semaphore] = {}
        self._freed: dict[str, asyncio.Event] = {}  # set when this worker frees a slot
        self._known: set[str] = set()  # hosts whose slot rows exist

    def _semaphore(self, host: str) -> asyncio.Semaphore:
        slot = self._local.get(host)
        if slot is None:
            slot = self._local[host] = asyncio.Semaphore(self.limit)
        return slot

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        async with self._semaphore(host):
            if not self.shared:
                yield
                return
            slot = await self._take(host)
            try:
                yield
            finally:
                if slot is not None:
                    await self._give(host, slot)
                    self._freed.setdefault(host, asyncio.Event()).set()

    async def _take(self, host: str) -> int | None:
        """A slot of `host`; while all are held, asked again after a short, growing wait —
        at once when this worker frees one (another worker's freeing is seen by asking)."""
        wait = WAIT_MIN
        freed = self._freed.setdefault(host, asyncio.Event())
        while True:
            freed.clear()
            try:
                slot = await self.store.take_host_slot(
                    host, self.limit, self.owner, lease=self.lease, now=utcnow(),
                    ensure=host not in self._known,
                )  # fmt: skip
            except Exception as exc:  # the database is down: the local limit still holds
                log.warning("no shared slot for %s (%s): fetching anyway", host, exc)
                return None
            self._known.add(host)
            if slot is not None:
                return slot
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(freed.wait(), wait * random.uniform(0.5, 1.5))
            wait = min(wait * 2, WAIT_MAX)

    async def _give(self, host: str, slot: int) -> None:
        try:
            await asyncio.shield(self.store.give_host_slot(host, slot, self.owner))
        except Exception as exc:  # its lease frees it soon enough
            log.warning("could not free the slot of %s (%s)", host, exc)
