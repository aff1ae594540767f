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


def role_refusal(role: discord.Role, *, can_mention_everyone: bool) -> str | None:
    """Why the bot may not ping `role` (None: it may): never @everyone, and a role that is
    not mentionable only with *Mention Everyone* (where the ping is posted)."""
    if role.is_default():
        return "I never ping @everyone or @here: choose a role."
    if role.mentionable or can_mention_everyone:
        return None
    return (
        f"I may not ping <@&{role.id}>: it is not mentionable and I don't have the **Mention "
        "Everyone** permission. Make the role mentionable (Server Settings → Roles) or give "
        "me that permission, then try again. Nothing was changed."
    )
