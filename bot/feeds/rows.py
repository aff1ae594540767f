"""Rows as the feeds package hands them out: frozen dataclasses, no ORM object.

The words used for a feed item's content: `content_html` is the feed's own text of an
item (HTML, stored in `items.content`); a *summary* is always our output (`Summary`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from bot.errors import InputError
from bot.feeds.schema import CHANNEL, aware, feeds, subscriptions, utcnow
from bot.server_settings import ServerDefaults


def delivery_nonce(subscription_id: int, item_key: str) -> str:
    """Deterministic Discord nonce (25 characters) for one item in one subscription.

    Sent with `enforce_nonce`, it makes a repeated send after a crash return the
    message Discord already created instead of posting it again.
    """
    return hashlib.sha256(f"precis:{subscription_id}:{item_key}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    host: str
    title: str
    site_link: str | None
    etag: str | None
    last_modified: str | None
    created_at: dt.datetime
    last_attempt: dt.datetime | None
    last_success: dt.datetime | None
    failure_count: int
    failing_since: dt.datetime | None
    last_error: str | None
    failure_notified: bool
    next_poll: dt.datetime
    item_count: int
    # Who claimed it and until when (bot/feeds/ingest.py): with the worker's name, the
    # expiry marks one claim, and the poll's outcome is recorded only while it holds.
    lease_owner: str | None = None
    lease_until: dt.datetime | None = None

    @property
    def claim(self) -> tuple[str, dt.datetime] | None:
        if self.lease_owner is None or self.lease_until is None:
            return None
        return self.lease_owner, self.lease_until


@dataclass(frozen=True)
class Subscription:
    id: int
    feed_id: int
    guild_id: int
    channel_id: int
    sentences: int | None  # None: follows the server's default (resolved when posting)
    paused: bool
    paused_reason: str | None
    paused_at: dt.datetime | None
    created_at: dt.datetime
    created_by: int | None
    feed_url: str
    feed_title: str
    last_success: dt.datetime | None
    failure_count: int
    failing_since: dt.datetime | None
    last_error: str | None
    next_poll: dt.datetime
    mode: str = CHANNEL  # CHANNEL, FORUM or THREAD (bot.feeds.schema)
    tag_id: int | None = None  # the forum tag applied to every post
    tag_name: str | None = None
    filter: str | None = None  # the filter expression (bot/feeds/filters.py)
    mention_role_id: int | None = None  # the role pinged with each post
    mention_when: str | None = None  # the expression an item must match for the ping
    group_stories: bool = True  # same-story items join the channel's earlier post

    @property
    def status(self) -> str:
        """`paused`, `failing` or `healthy` (`new` before the first successful poll)."""
        if self.paused:
            return "paused"
        if self.failure_count > 0:
            return "failing"
        return "healthy" if self.last_success else "new"


@dataclass(frozen=True)
class Placement:
    """Where a subscription's posts go in its channel: messages (CHANNEL), forum posts
    with an optional tag (FORUM), or messages that each start a thread (THREAD)."""

    mode: str = CHANNEL
    tag_id: int | None = None
    tag_name: str | None = None
    group_stories: bool = True  # an item of a story the channel got joins that post


ON_CHANNEL = Placement()  # plain messages in a text channel (the default)


@dataclass(frozen=True)
class StoredItem:
    id: int
    feed_id: int
    key: str
    guid: str | None
    link: str | None
    title: str | None
    published: dt.datetime | None
    author: str | None
    content_html: str | None  # the feed's own text of the item (HTML)
    image: str | None = None  # the item's own lead image, from the feed
    categories: tuple[str, ...] = ()  # the feed's categories of it


@dataclass(frozen=True)
class Delivery:
    """One item to post in one channel; `nonce` goes to Discord with enforce_nonce."""

    id: int
    subscription_id: int
    guild_id: int
    channel_id: int
    feed_id: int
    feed_title: str
    feed_url: str
    item: StoredItem
    sentences: int | None  # the subscription's own count; None follows the server's
    nonce: str
    attempts: int
    lease_token: int = 0  # presented with the completion (fencing)
    mode: str = CHANNEL  # the subscription's: CHANNEL, FORUM or THREAD
    tag_id: int | None = None
    message_id: int | None = None  # the message posted (THREAD: before its thread exists)
    thread_id: int | None = None
    thread_name: str | None = None  # the forum post's or thread's name, once chosen
    intent_at: dt.datetime | None = None  # first attempt at creating the forum post
    server: ServerDefaults = field(default_factory=ServerDefaults)  # the server's settings
    filter: str | None = None  # the subscription's filter expression
    mention_role_id: int | None = None  # the subscription's role to ping
    mention_when: str | None = None  # ... for the items matching this (None: every item)
    ping_role: int | None = None  # set by the deliverer: the role this post mentions
    group_stories: bool = True  # the subscription's: same-story items join earlier posts
    story_decided: bool = False  # its grouping was decided (and recorded) already
    story_of: int | None = None  # the delivery whose post it joins (None: its own post)


@dataclass(frozen=True)
class Notice:
    """Something to tell a channel: its kind and parameters; the Discord adapter words it
    (`text` holds the wording of notices queued before revision 0003)."""

    id: int
    guild_id: int
    channel_id: int
    subscription_id: int | None
    kind: str  # failing | recovered | flood | paused | watch
    params: dict[str, Any]
    text: str
    attempts: int
    lease_token: int = 0


@dataclass(frozen=True)
class IngestResult:
    new_items: int = 0
    queued: int = 0  # deliveries created
    capped: dict[int, int] = field(default_factory=dict)  # subscription id -> items skipped
    recovered: bool = False
    churned: int = 0  # items whose GUID changed but whose title + link were known
    stale: bool = False  # not recorded: the claim it was made under was taken over


@dataclass(frozen=True)
class FailureResult:
    failures: int
    notified: bool  # this failure crossed the threshold: channels were told
    stale: bool = False  # not recorded: the claim it was made under was taken over


# The lengths of the feeds.etag and feeds.last_modified columns (schema.py).
_VALIDATOR_MAX = {"etag": 512, "last_modified": 128}


@dataclass(frozen=True)
class FeedState:
    """What a successful fetch says about the feed (None when the server said 304)."""

    etag: str | None
    last_modified: str | None
    title: str | None = None
    site_link: str | None = None

    def __post_init__(self) -> None:
        # A validator longer than its column is dropped, not cut (a cut ETag would never
        # match): PostgreSQL refuses an over-long string where SQLite kept it, and the
        # feed would then fail on every poll. Without it the next fetch is a plain GET.
        for name in ("etag", "last_modified"):
            value = getattr(self, name)
            if value is not None and len(value) > _VALIDATOR_MAX[name]:
                object.__setattr__(self, name, None)


class AlreadySubscribed(InputError):
    """The channel already follows this feed."""

    def __init__(self, channel_id: int, feed_title: str, subscription_id: int) -> None:
        super().__init__(f"channel {channel_id} already follows {feed_title!r}")
        self.channel_id = channel_id
        self.feed_title = feed_title
        self.subscription_id = subscription_id


SUB_COLUMNS = (
    subscriptions,
    feeds.c.url.label("feed_url"),
    feeds.c.title.label("feed_title"),
    feeds.c.last_success,
    feeds.c.failure_count,
    feeds.c.failing_since,
    feeds.c.last_error,
    feeds.c.next_poll,
)


def subscription(row: Any) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        feed_id=m["feed_id"],
        guild_id=int(m["guild_id"]),
        channel_id=int(m["channel_id"]),
        sentences=m["sentences"],
        paused=bool(m["paused"]),
        paused_reason=m["paused_reason"],
        paused_at=aware(m["paused_at"]),
        created_at=aware(m["created_at"]) or utcnow(),
        created_by=m["created_by"],
        feed_url=m["feed_url"],
        feed_title=m["feed_title"],
        last_success=aware(m["last_success"]),
        failure_count=m["failure_count"],
        failing_since=aware(m["failing_since"]),
        last_error=m["last_error"],
        next_poll=aware(m["next_poll"]) or utcnow(),
        mode=m["mode"],
        tag_id=int(m["tag_id"]) if m["tag_id"] is not None else None,
        tag_name=m["tag_name"],
        filter=m["filter"],
        mention_role_id=int(m["mention_role_id"]) if m["mention_role_id"] is not None else None,
        mention_when=m["mention_when"],
        group_stories=bool(m["group_stories"]),
    )


def feed_row(row: Any) -> FeedRow:
    m = row._mapping
    return FeedRow(
        id=m["id"],
        url=m["url"],
        host=m["host"],
        title=m["title"],
        site_link=m["site_link"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        created_at=aware(m["created_at"]) or utcnow(),
        last_attempt=aware(m["last_attempt"]),
        last_success=aware(m["last_success"]),
        failure_count=m["failure_count"],
        failing_since=aware(m["failing_since"]),
        last_error=m["last_error"],
        failure_notified=bool(m["failure_notified"]),
        next_poll=aware(m["next_poll"]) or utcnow(),
        item_count=m["item_count"],
        lease_owner=m["lease_owner"],
        lease_until=aware(m["lease_until"]),
    )


def stored_item(m: Any, prefix: str = "") -> StoredItem:
    return StoredItem(
        id=m[prefix + "id"],
        feed_id=m[prefix + "feed_id"],
        key=m[prefix + "key"],
        guid=m[prefix + "guid"],
        link=m[prefix + "link"],
        title=m[prefix + "title"],
        published=aware(m[prefix + "published"]),
        author=m[prefix + "author"],
        content_html=m[prefix + "content"],
        image=m[prefix + "image"],
        categories=tuple(m[prefix + "categories"] or ()),
    )


def server_defaults(m: Any, prefix: str = "") -> ServerDefaults:
    """A server's settings from a `server_settings` row (or a left join's None columns)."""
    entities = m[prefix + "entities"]
    return ServerDefaults(
        sentences=m[prefix + "sentences"],
        entities=None if entities is None else bool(entities),
        color=m[prefix + "color"],
        languages=tuple(m[prefix + "languages"] or ()),
    )


def notice(row: Any) -> Notice:
    m = row._mapping
    return Notice(
        id=m["id"],
        guild_id=int(m["guild_id"]),
        channel_id=int(m["channel_id"]),
        subscription_id=m["subscription_id"],
        kind=m["kind"],
        params=dict(m["params"] or {}),
        text=m["text"],
        attempts=m["attempts"],
        lease_token=m["lease_token"],
    )
