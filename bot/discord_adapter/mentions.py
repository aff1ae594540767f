"""Who a post may ping: nobody (`NO_MENTIONS`), or one subscription's role (`role_ping`).

Article text never decides: it is only ever in the embed, and what Discord may turn into a
ping is spelled out in `allowed_mentions` on every send.
"""

from __future__ import annotations

import discord

NO_MENTIONS = discord.AllowedMentions.none()


def role_ping(role_id: int | None) -> tuple[str | None, discord.AllowedMentions]:
    """The content and allowed mentions of a post that pings `role_id` and nobody else
    (whatever the article says: its text is in the embed, and only this role is allowed:
    `{"parse": [], "roles": [role_id]}`); no role: no content, no mention."""
    if role_id is None:
        return None, NO_MENTIONS
    allowed = discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False
    )
    return f"<@&{role_id}>", allowed
