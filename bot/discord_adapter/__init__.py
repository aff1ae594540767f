"""The Discord adapter: the discord.py client, the one send path, embeds and notice wording.

The only package (with cogs/) that imports discord; the engine, the pipeline and the
feeds package below it never do.
"""
