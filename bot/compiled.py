"""The engine modules that setup.py compiles to C with mypyc, and which of
them run compiled here.

They run on every word of every article. Each is compiled as it stands: no
class in them subclasses an interpreted one (mypyc cannot compile sumy's
summarizer classes, so `bot.nlp.precis_summarizer` and `bot.nlp.summarize`
stay Python). This file is read by setup.py without importing Précis, so it
imports nothing at module level.
"""

from __future__ import annotations

MODULES = (
    "bot.ingest.text",
    "bot.ingest.text_captions",
    "bot.ingest.text_classify",
    "bot.ingest.text_glue",
    "bot.ingest.text_line",
    "bot.ingest.text_markdown",
    "bot.ingest.text_labels",
    "bot.ingest.text_meta",
    "bot.ingest.text_page",
    "bot.ingest.text_title",
    "bot.nlp.coverage",
    "bot.nlp.entities",
    "bot.nlp.entity_candidates",
    "bot.nlp.entity_gazetteer",
    "bot.nlp.entity_lexicon",
    "bot.nlp.entity_mentions",
    "bot.nlp.entity_ranking",
    "bot.nlp.entity_tokens",
    "bot.nlp.entity_trim",
    "bot.nlp.entity_typing",
    "bot.nlp.entity_vocabulary",
    "bot.nlp.language",
    "bot.nlp.sentences",
    "bot.nlp.stemming",
    "bot.nlp.tokens",
)


def running_compiled() -> dict[str, bool]:
    """Module -> whether its compiled build is the one imported."""
    import importlib

    return {
        name: (importlib.import_module(name).__file__ or "").endswith(".so") for name in MODULES
    }


def describe() -> str:
    """One line: compiled, pure Python, or which part is compiled."""
    state = running_compiled()
    if all(state.values()):
        return f"engine: compiled with mypyc ({len(state)} modules, setup.py)"
    if not any(state.values()):
        return "engine: pure Python (installed with PRECIS_COMPILE=0)"
    return "engine: partly compiled (" + ", ".join(n for n, c in state.items() if c) + ")"
