"""A seeded, bounded fuzzer over POST /api/v1/summaries (issue 17).

Hypothesis builds real requests, valid JSON and multipart bodies, then mutates them:
field types and names, nesting, numbers, lone surrogates, text encodings, part headers,
boundaries, Content-Encoding, framing (Content-Length or chunked), tokens, truncation and
random bytes. Each goes over a bare socket to one real server. Every answer must be a
2xx summary, or a 4xx / the documented 502 / 503 with a JSON {"error": "..."}; never a
500; never slow; and /healthz must keep answering. Derandomized: the same examples on
every run, so a failure here is reproducible (no example database is written).
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.web import WebApp
from tests.conftest import DATA, SEED
from tests.helpers.rawhttp import chunked, exchange, head, request
from tests.helpers.web import CHANNEL, OTHER_CHANNEL, TOKEN, MakeWeb

TEXT = SEED.read_text(encoding="utf-8")
SHORT = "\n\n".join(TEXT.split("\n\n")[:4])
HTML = (DATA / "articles" / "en_spacecraft.html").read_text(encoding="utf-8")
BOUNDARY = "fuzz-boundary-7f3a"
ANSWERED = {200, 400, 401, 403, 404, 408, 413, 415, 422, 502, 503}


def fuzz_settings(examples: int) -> settings:
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=examples,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],  # fmt: skip
    )


@dataclass
class Request:
    body: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)

    def wire(self, framing: str, token: str | None) -> bytes:
        extra = dict(self.headers)
        if framing == "chunked":
            extra["Transfer-Encoding"] = "chunked"
            return head(self.content_type, extra=extra, token=token) + chunked(self.body, 777)
        return request(self.body, self.content_type, extra=extra, token=token)


# -- values ------------------------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=[])  # controls and lone surrogates included
odd_text = st.text(ANY_CHAR, max_size=40)
digit_like = st.text(st.characters(categories=["Nd", "No", "Nl"]) | st.sampled_from("09 +-_.e"),
                     max_size=24)  # fmt: skip
numbers = st.one_of(
    st.integers(-20, 20),
    st.integers(),
    st.integers(10**18, 10**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([CHANNEL, OTHER_CHANNEL, 2**64, 2**64 - 1, 0, -1]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, odd_text, digit_like)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=6,
)
field_names = st.sampled_from(["url", "text", "html", "sentences", "channel_id"]) | odd_text
hosts = st.sampled_from([
    "127.0.0.1:1", "[::1]:1", "10.0.0.1", "xn--a.example", "a..b", "a" * 70 + ".org",
    "[::1", "\u2100.org", "user:pw@127.0.0.1:1", "",
])  # fmt: skip
links = st.builds("{}://{}/{}".format, st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
                  hosts, odd_text)  # fmt: skip


@st.composite
def text_values(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from([SHORT, TEXT, ""])) or draw(odd_text)
    if draw(st.booleans()):  # odd characters inside otherwise good text
        at = draw(st.integers(0, len(base)))
        base = base[:at] + draw(odd_text) + base[at:]
    return base


@st.composite
def json_objects(draw: st.DrawFn) -> dict[str, object]:
    source = draw(st.sampled_from(["text", "html", "url"]))
    value = {"text": draw(text_values()), "html": HTML, "url": draw(links)}[source]
    data: dict[str, object] = {source: value}
    if draw(st.booleans()):
        data["sentences"] = draw(st.integers(1, 10) | scalars)
    if draw(st.booleans()):
        data["channel_id"] = draw(st.sampled_from([CHANNEL, str(CHANNEL)]) | scalars)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # unknown or repeated fields
        data[draw(field_names)] = draw(json_values)
    return data


# -- bodies and their mutations -----------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, body: bytes) -> bytes:
    kinds = ["none"] * 4 + ["truncate", "bytes", "bytes", "deep", "huge-number"]
    kind = draw(st.sampled_from(kinds))
    if kind == "truncate" and body:
        return body[: draw(st.integers(0, len(body) - 1))]
    if kind == "bytes" and body:
        data = bytearray(body)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            byte = draw(st.integers(0, 255))
            match draw(st.sampled_from(["set", "insert", "delete"])):
                case "set":
                    data[at] = byte
                case "insert":
                    data.insert(at, byte)
                case _:
                    del data[at]
        return bytes(data)
    if kind == "deep":
        depth = draw(st.sampled_from([50, 1000, 100_000]))
        opener = draw(st.sampled_from([b"[", b'{"a":']))
        closer = b"]" if opener == b"[" else b"}"
        inner = opener * depth + b"1" + closer * draw(st.sampled_from([depth, 0]))
        return body.replace(b"{", b'{"deep": ' + inner + b", ", 1) if body else inner
    if kind == "huge-number":
        return body.replace(b"{", b'{"sentences": ' + b"9" * 5000 + b", ", 1)
    return body


@st.composite
def json_requests(draw: st.DrawFn) -> Request:
    text = json.dumps(draw(json_objects()), ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "utf-16", "latin-1"]))
    body = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    content_type = draw(st.sampled_from([
        *["application/json"] * 6, "application/json; charset=utf-8", "APPLICATION/JSON",
        "application/json; charset=utf-16", "text/plain", None,
    ]))  # fmt: skip
    return Request(draw(mutated(body)), content_type)


@st.composite
def part_headers(draw: st.DrawFn) -> bytes:
    lines = [b"X-Filler: x"] * draw(st.sampled_from([0, 0, 3, 129, 2000]))
    lines.append(b"X-Long: " + b"y" * draw(st.sampled_from([0, 0, 9000, 200_000])))
    lines += draw(st.lists(st.sampled_from([
        b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: 8bit",
        b"Content-Encoding: gzip", b"no colon", b"Content-Type: text/\xff; charset=\xfe",
        b"Content-Type: text/html; charset=utf-7", b"Content-Length: 99999999",
    ]), max_size=2))  # fmt: skip
    return b"".join(line + b"\r\n" for line in lines if line != b"X-Long: ")


@st.composite
def multipart_part(draw: st.DrawFn, name: bytes) -> bytes:
    disposition = b'form-data; name="' + name + b'"'
    if name == b"file" or draw(st.booleans()):
        filename = draw(st.sampled_from([b"a.txt", b"page.html", b"\xff\xfe.txt", b"x" * 300]))
        disposition += b'; filename="' + filename + b'"'
    if name == b"file":
        files = [TEXT.encode(), SHORT.encode("utf-16"), HTML.encode(), b"%PDF-1.4 broken", b""]
        payload = draw(st.sampled_from(files) | st.binary(max_size=300))
    else:
        payload = draw(digit_like.map(lambda s: s.encode("utf-8", "surrogatepass"))
                       | st.binary(max_size=80))  # fmt: skip
    headers = draw(part_headers()) if draw(st.integers(0, 3)) == 0 else b""
    return (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition + b"\r\n"
            + headers + b"\r\n" + payload + b"\r\n")  # fmt: skip


@st.composite
def multipart_requests(draw: st.DrawFn) -> Request:
    others = [b"sentences", b"channel_id", b"_charset_", b"file", b"\xff", b"n" * 9000]
    names = [b"file", *draw(st.lists(st.sampled_from(others), max_size=3))]
    body = draw(st.sampled_from([b"", b"preamble\r\n", b"x" * 70_000]))
    body += b"".join([draw(multipart_part(name)) for name in draw(st.permutations(names))])
    body += b"--" + BOUNDARY.encode() + b"--\r\n" + draw(st.sampled_from([b"", b"epilogue"]))
    subtype = draw(st.sampled_from(["form-data"] * 9 + ["mixed"]))
    boundary = draw(st.sampled_from([BOUNDARY] * 6 + [f'"{BOUNDARY}"', "", "b" * 80]))
    content_type = f"multipart/{subtype}" + (f"; boundary={boundary}" if boundary else "")
    return Request(draw(mutated(body)), content_type)


@st.composite
def framed(draw: st.DrawFn, requests: st.SearchStrategy[Request]) -> bytes:
    """The request on the wire: its Content-Encoding, its token, its framing."""
    req = draw(requests)
    encodings = [None] * 6 + ["identity", "gzip", "deflate", "br", "x-unknown"]
    encoding = draw(st.sampled_from(encodings))
    if encoding is not None:
        req.headers["Content-Encoding"] = encoding
        if draw(st.booleans()):  # else: a body that does not match its encoding
            if encoding == "gzip":
                req.body = gzip.compress(req.body)
            elif encoding == "deflate":
                req.body = zlib.compress(req.body)
    token = draw(st.sampled_from([TOKEN] * 12 + [None, "wrong-token-wrong-token", " " + TOKEN]))
    return req.wire(draw(st.sampled_from(["length", "length", "chunked"])), token)


# -- the checks ---------------------------------------------------------------------------


async def check(app: WebApp, wire: bytes) -> None:
    answer = await exchange(app.port, wire, timeout=15)
    assert answer.status in ANSWERED, (answer.status, answer.body[:500], wire[:300])
    assert answer.seconds < 10, (answer.seconds, wire[:300])
    assert answer.headers.get("content-type", "").startswith("application/json"), answer
    body = answer.json()
    if answer.status == 200:
        assert body["summary"], body
    else:
        assert isinstance(body["error"], str) and body["error"], body
    health = await exchange(app.port, request(b"", None, path="/healthz", method="GET"), 5)
    assert health.status == 200, health


@pytest.fixture
async def fuzz_web(make_web: MakeWeb) -> WebApp:
    """One server for all the examples of a test. Its fetcher may reach 127.0.0.1 (the
    service fixture), where port 1 refuses at once: links fail fast, with a 502."""
    return await make_web(body_timeout=2.0, shutdown_timeout=0.5)


@fuzz_settings(examples=400)
@given(wire=framed(json_requests()))
async def test_fuzzed_json_requests_get_clear_answers(fuzz_web: WebApp, wire: bytes) -> None:
    await check(fuzz_web, wire)


@fuzz_settings(examples=300)
@given(wire=framed(multipart_requests()))
async def test_fuzzed_multipart_requests_get_clear_answers(fuzz_web: WebApp, wire: bytes) -> None:
    await check(fuzz_web, wire)
