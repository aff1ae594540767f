"""The `precis` command line end to end: real files, stdin, loopback HTTP, real output."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from tests.conftest import DATA, ROOT, SEED
from tests.helpers.webserver import ThreadedServer

ARTICLES = DATA / "articles"
BOILERPLATE = ["AFP", "Ilhan Omar", "Pelosi", "Crédit photo", "WikiCommons", "Partager",
               "Pour en savoir plus", "SOURCE", "FRENCH PRESS TV"]  # fmt: skip


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: bytes | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(args)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def summarize_json(args: list[str], capsys: pytest.CaptureFixture[str], **kw: bytes) -> dict:
    code, out, err = run_cli(["summarize", *args, "--format", "json"], capsys, **kw)
    assert code == 0, err
    return json.loads(out)


# -- the seed -----------------------------------------------------------------------


def test_seed_summary_is_faithful_and_clean(capsys: pytest.CaptureFixture[str]) -> None:
    result = summarize_json([str(SEED)], capsys)
    assert result["language"] == "fr"
    assert result["title"] == (
        "L'Irak et les États-Unis conviennent de discuter du calendrier du retrait "
        "des troupes américaines"
    )
    assert "press tv" in (result["source"]["name"] or "").lower()
    original = SEED.read_text(encoding="utf-8")
    assert len(result["summary"]) == 3
    for sentence in result["summary"]:
        assert sentence in original
    # in article order
    positions = [original.index(s) for s in result["summary"]]
    assert positions == sorted(positions)
    entity_texts = [e["text"] for e in result["entities"]]
    for text in result["summary"] + entity_texts:
        for junk in BOILERPLATE:
            assert junk not in text, (junk, text)
    for expected in ["Irak", "États-Unis", "Bagdad", "Washington", "Lloyd Austin", "Daech"]:
        assert expected in entity_texts, (expected, entity_texts)
    for absent in ["Ilhan Omar", "Nancy Pelosi", "AFP"]:
        assert all(absent not in t for t in entity_texts)
    stats = result["stats"]
    assert stats["words"] > stats["summary_words"] > 0
    assert 0 < stats["reduction"] < 1
    assert result["algorithm"]


def test_json_shape_is_exactly_the_documented_one(capsys: pytest.CaptureFixture[str]) -> None:
    result = summarize_json([str(SEED), "--sentences", "2"], capsys)
    assert set(result) == {"title", "language", "source", "summary", "entities", "stats",
                           "algorithm", "image"}  # fmt: skip
    assert result["image"] is None  # a text file has no image
    assert set(result["source"]) == {"name", "url", "author", "published"}
    assert set(result["stats"]) == {"words", "sentences", "summary_words", "reduction"}
    assert len(result["summary"]) == 2
    for entity in result["entities"]:
        assert set(entity) == {"text", "type", "count"}
        assert entity["type"] in {"person", "place", "organization", "other"}
        assert entity["count"] >= 1


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_output(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["summarize", str(SEED), "--format", fmt], capsys)
    assert code == 0
    assert "calendrier du retrait" in out
    assert "Bagdad" in out
    assert "French (fr)" in out
    assert "% shorter" in out


# -- every door gives the same summary ----------------------------------------------


@pytest.mark.parametrize("name", ["en_spacecraft", "fr_kremlin"])
def test_every_door_gives_the_same_summary(
    name: str,
    capsys: pytest.CaptureFixture[str],
    web_server: ThreadedServer,
    loopback_allowed: None,
) -> None:
    text_file = ARTICLES / f"{name}.txt"
    html_file = ARTICLES / f"{name}.html"
    url = web_server.add_bytes(
        "/news/story.html", html_file.read_bytes(), "text/html; charset=utf-8"
    )
    from_file = summarize_json([str(text_file)], capsys)
    from_stdin = summarize_json(["-"], capsys, stdin=text_file.read_bytes())
    from_html = summarize_json([str(html_file)], capsys)
    from_url = summarize_json([url], capsys)
    assert from_file["summary"] == from_stdin["summary"] == from_html["summary"]
    assert from_html["summary"] == from_url["summary"]
    assert from_file["language"] == name[:2]
    assert from_url["source"]["url"] == url
    assert from_html["source"]["name"] == "Example News"
    article = text_file.read_text(encoding="utf-8")
    assert all(sentence in article for sentence in from_file["summary"])


def test_algorithm_and_sentences_options(capsys: pytest.CaptureFixture[str]) -> None:
    article = ARTICLES / "en_spacecraft.txt"
    for algorithm in ["lex-rank", "lsa", "lead"]:
        result = summarize_json([str(article), "--algorithm", algorithm, "-n", "4"], capsys)
        assert result["algorithm"] == algorithm
        assert len(result["summary"]) == 4
    code, _, err = run_cli(["summarize", str(article), "--algorithm", "nope"], capsys)
    assert code != 0 and "nope" in err


# -- batch ---------------------------------------------------------------------------


def run_batch(args: list[str], stdin: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    """The real `precis batch` process (its worker processes included)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "bot", "batch", *args], input=stdin,
                          capture_output=True, env=environ, timeout=120)  # fmt: skip


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_keeps_order_and_survives_bad_lines(
    web_server: ThreadedServer, workers: str
) -> None:
    en = (ARTICLES / "en_spacecraft.txt").read_text(encoding="utf-8")
    fr_html = (ARTICLES / "fr_kremlin.html").read_text(encoding="utf-8")
    page = web_server.add_bytes("/page", fr_html.encode(), "text/html; charset=utf-8")
    never = web_server.url("/never-fetched")
    lines = [
        json.dumps({"id": 1, "text": en}),
        "this is not json",
        json.dumps({"id": "h", "html": fr_html, "url": never}),
        json.dumps({"id": 3, "text": ""}),
        json.dumps({"id": 4, "url": page}),
        json.dumps({"id": 5}),
        json.dumps({"id": 6, "text": en, "language": "en"}),
        json.dumps({"id": 7, "html": "<p>x</p>"}),  # trafilatura logs errors on this one
        json.dumps({"id": 8, "text": en, "html": fr_html}),
        json.dumps({"id": 9, "text": en, "url": page}),
        json.dumps({"id": "a, \"error\": 1", "text": en}),
    ] * 3  # more lines than one chunk: order holds across workers
    done = run_batch(["--sentences", "2", "--with-text", "--workers", workers],
                     ("\n".join(lines) + "\n").encode(),
                     FETCH_ALLOWED_NETWORKS="127.0.0.1/32")  # fmt: skip
    # Some lines failed: exit 1, and stderr says how many, in one line and nothing else.
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode() == "precis: 18 line(s) could not be summarized\n"
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    ids = [1, None, "h", 3, 4, 5, 6, 7, 8, 9, 'a, "error": 1']
    assert [r["id"] for r in rows] == ids * 3
    failed = [i for i, r in enumerate(rows[:11]) if "error" in r]
    assert failed == [1, 3, 5, 7, 8, 9]
    assert rows[8]["error"] == 'Give one of "text", "html" or "url", not text and html.'
    assert rows[9]["error"] == 'Give one of "text", "html" or "url", not text and url.'
    assert rows[0]["language"] == "en" and len(rows[0]["summary"]) == 2
    assert all(s in rows[0]["text"] for s in rows[0]["summary"])
    assert rows[2]["language"] == "fr" and rows[2]["source"]["url"] == never
    assert web_server.hits.get("/never-fetched", 0) == 0  # html given: the URL is not fetched
    assert web_server.hits.get("/page", 0) == 3  # once per "url" line, never for id 9
    assert rows[4]["summary"] == rows[2]["summary"]
    assert rows[6]["summary"] == rows[0]["summary"] == rows[10]["summary"]
    assert [r["error"] for r in rows[1::11]] == [f"line {n} is not valid JSON" for n in (2, 13, 24)]
    del rows[1::11]
    assert rows[10:20] == rows[:10] == rows[20:]


def test_batch_without_failures_exits_0_and_caps_each_line() -> None:
    en = (ARTICLES / "en_spacecraft.txt").read_text(encoding="utf-8")
    good = json.dumps({"id": 1, "text": en}).encode() + b"\n"
    done = run_batch([], good * 2)
    assert done.returncode == 0 and done.stderr == b""
    assert len(done.stdout.splitlines()) == 2
    # A line over MAX_FILE_BYTES is refused by itself; the lines around it still run.
    huge = json.dumps({"id": 2, "text": "word " * 30_000}).encode() + b"\n"
    done = run_batch([], good + huge + good, MAX_FILE_BYTES="100000")
    assert done.returncode == 1
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("id") for r in rows] == [1, None, 1]
    assert rows[1]["error"] == "line 2 is longer than the 0.1 MB limit (MAX_FILE_BYTES)"
    assert rows[0]["summary"] == rows[2]["summary"]


def test_batch_lone_surrogates_and_a_line_over_budget_fail_alone() -> None:
    en = (ARTICLES / "en_spacecraft.txt").read_text(encoding="utf-8")
    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        heavy = "\n\n".join(json.loads(line)["article"] for line in handle) * 4  # ~0.5 s
    lines = [
        json.dumps({"id": 1, "text": en}),
        # A cut emoji: a lone surrogate, escaped as JSON allows. It used to end the whole
        # batch with exit 2 at the first write, losing every later line.
        '{"id": "\\ud83d", "text": ' + json.dumps(en[:400] + " \\ud83d ")[:-1] + '"}',
        json.dumps({"id": 3, "text": heavy}),
        json.dumps({"id": 4, "text": en}),
    ]
    done = run_batch(["--timeout", "0.2"], ("\n".join(lines) + "\n").encode())
    assert done.returncode == 1, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r.get("id") for r in rows] == [1, "\ufffd", None, 4]
    assert "summary" in rows[0] and "summary" in rows[1] and "summary" in rows[3]
    assert rows[2]["error"].startswith("line 3: That is too complex to summarize")
    assert done.stderr.decode() == "precis: 1 line(s) could not be summarized\n"


# -- bad input: a clear error and a non-zero exit, nothing hangs ---------------------


def assert_fails(args: list[str], capsys: pytest.CaptureFixture[str], *words: str,
                 stdin: bytes | None = None) -> str:  # fmt: skip
    code, out, err = run_cli(args, capsys, stdin=stdin)
    assert code != 0
    assert out == ""
    assert err.startswith("precis: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in err.lower(), err
    return err


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_fails(["summarize", str(empty)], capsys, "empty")
    assert_fails(["summarize", "-"], capsys, "empty", stdin=b"  \n")


def test_binary_garbage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "article.txt"  # a lying name: the content decides
    garbage.write_bytes(bytes(range(256)) * 64)
    assert_fails(["summarize", str(garbage)], capsys, "binary", "PDF")


def test_fifty_megabyte_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert_fails(["summarize", str(big)], capsys, "larger than")


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert_fails(["summarize", "/nonexistent/article.txt"], capsys, "no such file")


def test_a_directory_is_named_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = assert_fails(["summarize", str(tmp_path)], capsys)
    assert err == (
        f"precis: error: {tmp_path} is a directory: give one file, a http(s) link, "
        "or - for stdin.\n"
    )


def test_too_short_says_word_or_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert assert_fails(["summarize", "-"], capsys, stdin=b"Hello.").endswith("(1 word).\n")
    assert assert_fails(["summarize", "-"], capsys, stdin=b"Hello there.").endswith("(2 words).\n")


def test_url_that_404s(capsys: pytest.CaptureFixture[str], web_server: ThreadedServer,
                       loopback_allowed: None) -> None:  # fmt: skip
    assert_fails(["summarize", web_server.url("/missing")], capsys, "404")


def test_url_that_times_out(
    capsys: pytest.CaptureFixture[str],
    web_server: ThreadedServer,
    loopback_allowed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FETCH_TIMEOUT", "1")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="too late")

    url = web_server.add("/slow", slow)
    assert_fails(["summarize", url], capsys, "1 s")


def test_redirect_to_loopback_is_refused(
    capsys: pytest.CaptureFixture[str], web_server: ThreadedServer, loopback_allowed: None
) -> None:
    async def redirect(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://127.0.0.2:{web_server.port}/secret")

    url = web_server.add("/go", redirect)
    assert_fails(["summarize", url], capsys, "127.0.0.2")
    assert web_server.hits.get("/secret", 0) == 0


def test_loopback_refused_by_default(
    capsys: pytest.CaptureFixture[str], web_server: ThreadedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FETCH_ALLOWED_NETWORKS", raising=False)
    url = web_server.add_bytes("/p", b"<p>hello</p>", "text/html")
    assert_fails(["summarize", url], capsys, "127.0.0.1")
    assert web_server.hits.get("/p", 0) == 0


def test_endless_body(
    capsys: pytest.CaptureFixture[str],
    web_server: ThreadedServer,
    loopback_allowed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_FETCH_BYTES", str(1024 * 1024))

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"la " * 10_000 + b"</p>"
        try:
            while True:
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    url = web_server.add("/endless", endless)
    assert_fails(["summarize", url], capsys, "larger than")


def test_gzip_bomb(
    capsys: pytest.CaptureFixture[str],
    web_server: ThreadedServer,
    loopback_allowed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_FETCH_BYTES", str(1024 * 1024))
    bomb = gzip.compress(b"A" * (64 * 1024 * 1024))

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Type": "text/plain",
                                                "Content-Encoding": "gzip"})  # fmt: skip

    url = web_server.add("/bomb", handler)
    assert_fails(["summarize", url], capsys, "larger than")


def test_console_script_and_module_exit_codes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "bot", "summarize", str(SEED)], cwd=tmp_path,
                        env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "Lloyd Austin" in ok.stdout
    empty = tmp_path / "e.txt"
    empty.write_text("")
    bad = subprocess.run([sys.executable, "-m", "bot", "summarize", str(empty)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.startswith("precis: error:")


@pytest.mark.parametrize(
    "link", ["ftp://user:hunter2@example.org/a.txt", "https://", "file:///etc/passwd"]
)
def test_links_that_are_not_web_links(link: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = assert_fails(["summarize", link], capsys, "http://")
    assert "hunter2" not in err  # a link may carry credentials: it is never echoed


def test_summarize_runs_within_the_budget_and_refuses_what_overruns_it(tmp_path: Path) -> None:
    # The engine runs in a worker process that is killed past --timeout (SUMMARY_TIMEOUT):
    # a file too complex to summarize in time is one clear error, not a terminal held
    # for hours. The same file is summarized with the default budget.
    with (DATA / "eval" / "cnndm.jsonl").open(encoding="utf-8") as handle:
        heavy = "\n\n".join(json.loads(line)["article"] for line in handle) * 4  # ~0.5 s
    path = tmp_path / "heavy.txt"
    path.write_text(heavy, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "summarize", str(path)]
    over = subprocess.run([*command, "--timeout", "0.05"], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert over.returncode == 1
    assert over.stdout == ""
    assert over.stderr.startswith("precis: error: That is too complex to summarize"), over.stderr
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("- ")
