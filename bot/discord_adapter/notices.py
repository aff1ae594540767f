"""What Précis says in a channel about its feeds: the wording of every notice, of a
subscription's status line, and of feed errors. The feeds package stores a notice's kind
and parameters; this module words it, with every outside string escaped for Discord."""

from __future__ import annotations

import datetime as dt

from bot import escape
from bot.escape import discord_inline as _md
from bot.feeds.opml import ImportReport
from bot.feeds.rows import AlreadySubscribed, Notice, Subscription
from bot.feeds.schema import FORUM, THREAD
from bot.nlp.watch_match import KINDS


def notice_text(notice: Notice) -> str:
    """The message for a queued notice, within Discord's limit (notices queued before
    revision 0003 kept their text)."""
    return escape.cut(_notice_text(notice), escape.MESSAGE_LIMIT)


def _notice_text(notice: Notice) -> str:
    p = notice.params
    if not p:
        return notice.text
    title = str(p.get("title", ""))
    if notice.kind == "failing":
        return failing_text(title, int(p["failures"]), _when(p.get("since")), p.get("error"))
    if notice.kind == "recovered":
        return f"\u2705 The feed **{_md(title)}** works again; new items will be posted as usual."
    if notice.kind == "flood":
        total, posted = int(p["total"]), int(p["posted"])
        return (
            f"The feed **{_md(title)}** published {total} new items at once. I'm posting the "
            f"{posted} newest and marked the other {total - posted} as seen."
        )
    if notice.kind == "watch":
        return watch_text(p)
    if notice.kind == "paused":
        return (
            f"I paused the feed **{_md(title)}** in <#{int(p['channel_id'])}>: {p['reason']}. "
            "Fix that, then use `/feed resume` to start again."
        )
    return notice.text or f"Feed notice: {notice.kind}"


def watch_text(p: dict[str, object]) -> str:
    """A watch fired: the role (if any), the entity, and a link to the post. The role
    mention is ours (an id); every name in it comes from outside and is escaped."""
    role = p.get("role_id")
    ping = f"<@&{int(str(role))}> " if role else ""
    entity, name = str(p.get("entity", "")), str(p.get("name", ""))
    kind = str(p.get("kind") or "")
    shown = f"**{_md(entity, 100)}**" + (f" ({_md(kind, 20)})" if kind in KINDS else "")
    watched = "" if entity.casefold() == name.casefold() else f" (watch: {_md(name, 100)})"
    post = escape.link_target(str(p.get("post", "")))
    title = _md(str(p.get("title") or "a new post"), 200)
    linked = f"[{title}]({post})" if post else f"**{title}**"
    return (f"\U0001f514 {ping}{shown}{watched} is in {linked}, from "
            f"**{_md(str(p.get('feed', '')), 100)}**.")  # fmt: skip


def failing_text(title: str, failures: int, since: dt.datetime | None, error: str | None) -> str:
    when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
    # The error quotes the feed's server (its reason phrase, its page): outside text.
    reason = f" Last error: {_md(error, 300)}" if error else ""
    return (
        f"\u26a0\ufe0f The feed **{_md(title)}** has failed {failures} times in a row{when}."
        f"{reason} I'll keep trying, less often, and say so here when it works again."
    )


def status_text(sub: Subscription) -> str:
    """A subscription's state, for `/feed list`."""
    if sub.paused:
        return "paused" + (f" ({sub.paused_reason})" if sub.paused_reason else "")
    if sub.failure_count > 0 and sub.failing_since:
        since = sub.failing_since.strftime("%Y-%m-%d %H:%M UTC")
        text = f"failing since {since} ({sub.failure_count} failures)"
        return text + (f": {_md(sub.last_error, 300)}" if sub.last_error else "")
    return "healthy" if sub.last_success else "waiting for the first poll"


def subscription_line(
    sub: Subscription, *, default_sentences: int, skipped: int = 0, filtered: int = 0
) -> str:
    """One line of `/feed list`: a subscription without its own count shows the server's
    default it follows; items skipped for their language, or filtered out, are counted."""
    count = _sentences(default_sentences if sub.sentences is None else sub.sentences)
    if sub.sentences is None:
        count += " (server default)"
    if skipped:
        count += f" · {skipped} skipped (language)"
    if filtered:
        count += f" · {filtered} filtered out"
    keywords = ""
    if sub.filter:
        keywords += f" · filter: {_md(escape.cut(sub.filter, 150))}"
    if sub.mention_role_id:
        when = f" when {_md(escape.cut(sub.mention_when, 100))}" if sub.mention_when else ""
        keywords += f" · pings <@&{sub.mention_role_id}>{when}"
    return (
        f"`#{sub.id}` **{_md(sub.feed_title)}** → <#{sub.channel_id}>{_where(sub)}"
        f" · {count}{keywords} · {status_text(sub)}"
    )


def _where(sub: Subscription) -> str:
    """What follows the channel in `/feed list`: " (forum, tag: …)", " (thread per post)"."""
    if sub.mode == FORUM:
        return " (forum" + (f", tag: {_md(sub.tag_name, 40)})" if sub.tag_name else ")")
    if sub.mode == THREAD:
        return " (thread per post)"
    return ""


def _sentences(count: int) -> str:
    return f"{count} sentence" + ("" if count == 1 else "s")


def already_subscribed_text(exc: AlreadySubscribed) -> str:
    return (
        f"<#{exc.channel_id}> already follows **{_md(exc.feed_title)}** "
        f"(subscription {exc.subscription_id})."
    )


def _when(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def import_report_text(report: ImportReport, channel_id: int, cap: int) -> str:
    """The one private answer to `/feed import`: what was added, already followed, failed
    (with the reason) and left over the cap — cut, by whole lines, to Discord's limit."""
    head = (
        f"Import into <#{channel_id}>: **{len(report.added)} added**, "
        f"{len(report.already)} already followed, {len(report.failed)} failed"
        + (f", {len(report.over_cap)} over the cap" if report.over_cap else "")
        + "."
    )
    lines = [head]
    if report.added:
        names = ", ".join(f"{_md(title, 80)} (`#{sub_id}`)" for title, sub_id in report.added)
        lines.append(f"**Added** (each posts its newest item, then every new one): {names}")
    if report.already:
        lines.append("**Already followed:** " + ", ".join(_md(n, 80) for n in report.already))
    lines += [f"• **{_md(name, 80)}** failed: {_md(reason, 200)}" for name, reason in report.failed]
    if report.over_cap:
        lines.append(
            f"{len(report.over_cap)} more feeds were not imported: one import adds at most "
            f"{cap}. Run the same import again for the next ones."
        )
    return _fit_lines(lines, escape.MESSAGE_LIMIT)


def _fit_lines(lines: list[str], limit: int) -> str:
    """Whole lines within `limit`, then "… and N more lines"; a line that alone is too
    long is cut."""
    kept: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        line = escape.cut(line, limit - 40)
        more = f"… and {len(lines) - n} more lines"
        if used + len(line) + 1 > limit - len(more) - 1 and n < len(lines) - 1:
            kept.append(more)
            break
        if used + len(line) + 1 > limit:
            kept.append(more)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
