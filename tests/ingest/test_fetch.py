"""The guarded fetcher against real servers on 127.0.0.1 (and 127.0.0.2)."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import time
import zlib

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import BlockedAddress, FetchError, TooLarge
from bot.ingest.fetch import FetchLimits, check_address, fetch_url, make_session
from config.settings import load_settings
from tests.ingest.conftest import LOOPBACK_ONLY, LocalServer

PAGE = "<html><head><title>Café</title></head><body><p>Déjà vu à Paris.</p></body></html>"


class MapResolver(AbstractResolver):
    """A DNS stand-in: answers from a fixed table and records every question."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.questions: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.questions.append(host)
        if host not in self.table:
            raise OSError(f"unknown host {host}")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.table[host]
        ]

    async def close(self) -> None:
        pass


# --------------------------------------------------------------------------- success


async def test_fetches_html_with_charset_and_validators(
    server: LocalServer, limits: FetchLimits
) -> None:
    body = PAGE.encode("cp1252")
    url = server.add_bytes(
        "/page",
        body,
        'Text/HTML; Charset="ISO-8859-1"',
        ETag='"v1"',
        **{"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"},
    )
    fetched = await fetch_url(url, limits)
    assert fetched.status == 200
    assert fetched.data == body
    assert fetched.content_type == "text/html"
    assert fetched.charset == "iso-8859-1"
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert fetched.url == url
    assert not fetched.not_modified


async def test_sends_user_agent_and_accept(server: LocalServer, limits: FetchLimits) -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(request.headers)
        return web.Response(text="ok")

    url = server.add("/h", handler)
    await fetch_url(url, limits, accept="application/rss+xml")
    assert seen["User-Agent"] == limits.user_agent
    assert seen["Accept"] == "application/rss+xml"
    assert "gzip" in seen["Accept-Encoding"]


async def test_missing_content_type_is_none(limits: FetchLimits) -> None:
    """aiohttp's server always adds a Content-Type, so speak raw HTTP here."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n")
        writer.write(b"plain bytes")
        await writer.drain()
        writer.close()

    raw = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = raw.sockets[0].getsockname()[1]
    async with raw:
        fetched = await fetch_url(f"http://127.0.0.1:{port}/raw", limits)
    assert fetched.data == b"plain bytes"
    assert fetched.content_type is None and fetched.charset is None


async def test_follows_relative_redirect(server: LocalServer, limits: FetchLimits) -> None:
    server.add_bytes("/final", b"<p>here</p>")

    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/final#frag")

    fetched = await fetch_url(server.add("/start", hop), limits)
    assert fetched.url == server.url("/final")
    assert fetched.data == b"<p>here</p>"


async def test_too_many_redirects(server: LocalServer) -> None:
    async def loop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    limits = FetchLimits(timeout=5, allowed_networks=LOOPBACK_ONLY, max_redirects=3)
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        await fetch_url(server.add("/loop", loop), limits)
    assert server.hits["/loop"] == 4


async def test_reuses_a_guarded_session(server: LocalServer, limits: FetchLimits) -> None:
    url = server.add_bytes("/s", b"x")
    async with make_session(limits) as session:
        assert (await fetch_url(url, limits, session=session)).data == b"x"
        assert (await fetch_url(url, limits, session=session)).data == b"x"
    async with aiohttp.ClientSession() as plain:
        with pytest.raises(ValueError, match="make_session"):
            await fetch_url(url, limits, session=plain)


# --------------------------------------------------------------------------- HTTP errors


async def test_404_is_a_fetch_error(server: LocalServer, limits: FetchLimits) -> None:
    with pytest.raises(FetchError) as info:
        await fetch_url(server.url("/missing"), limits)
    assert str(info.value).startswith("The page at 127.0.0.1 answered 404 Not Found.")
    assert not isinstance(info.value, BlockedAddress)


async def test_500_says_try_later(server: LocalServer, limits: FetchLimits) -> None:
    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=503, text="down")

    with pytest.raises(FetchError, match="503 Service Unavailable.*try again later"):
        await fetch_url(server.add("/down", broken), limits)


async def test_slow_server_times_out_near_the_limit(server: LocalServer) -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.wait_for(server.released.wait(), 30)
        return web.Response(text="too late")

    limits = FetchLimits(timeout=1.0, allowed_networks=LOOPBACK_ONLY)
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 1 s"):
        await fetch_url(server.add("/slow", slow), limits)
    assert time.monotonic() - started < 2.5


async def test_dripping_body_hits_the_total_timeout(server: LocalServer) -> None:
    """A byte every 0.2 s never trips a read timeout; the total timeout must stop it."""

    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        try:
            for _ in range(200):
                await resp.write(b"a")
                await asyncio.sleep(0.2)
        except ConnectionError:
            pass
        return resp

    limits = FetchLimits(timeout=1.0, allowed_networks=LOOPBACK_ONLY)
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 1 s"):
        await fetch_url(server.add("/drip", drip), limits)
    assert time.monotonic() - started < 2.5


# --------------------------------------------------------------------------- refused addresses


async def test_literal_loopback_without_allowance_is_blocked(
    server: LocalServer, connections: list[str]
) -> None:
    url = server.add_bytes("/p", b"secret")
    loopback = r"points at 127\.0\.0\.1, a loopback address \(this machine\); Précis only"
    with pytest.raises(BlockedAddress, match=loopback + r" fetches public web pages\.$"):
        await fetch_url(url, FetchLimits(timeout=5))
    assert server.total_hits == 0
    assert connections == []


async def test_redirect_to_other_loopback_address_is_blocked(
    server: LocalServer, other_loopback_server: LocalServer, limits: FetchLimits
) -> None:
    target = other_loopback_server.add_bytes("/admin", b"internal")

    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound(target)

    with pytest.raises(BlockedAddress, match=r"redirects to 127\.0\.0\.2, a loopback address"):
        await fetch_url(server.add("/go", hop), limits)
    assert server.hits["/go"] == 1
    assert other_loopback_server.total_hits == 0


async def test_redirect_to_metadata_address_never_connects(
    server: LocalServer, limits: FetchLimits, connections: list[str]
) -> None:
    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    with pytest.raises(BlockedAddress, match=r"169\.254\.169\.254, a link-local address;"):
        await fetch_url(server.add("/meta", hop), limits)
    assert connections == ["127.0.0.1"]


async def test_redirect_to_ipv4_mapped_ipv6_is_blocked(
    server: LocalServer, limits: FetchLimits, connections: list[str]
) -> None:
    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound("http://[::ffff:10.0.0.1]/")

    with pytest.raises(BlockedAddress, match="private network address"):
        await fetch_url(server.add("/mapped", hop), limits)
    assert connections == ["127.0.0.1"]


async def test_dns_answer_with_private_address_is_refused_before_connecting(
    connections: list[str],
) -> None:
    resolver = MapResolver({"internal.test": ["10.0.0.1"]})
    with pytest.raises(BlockedAddress) as info:
        await fetch_url("http://internal.test/x", FetchLimits(timeout=5), resolver=resolver)
    assert str(info.value) == (
        "The site internal.test resolves to 10.0.0.1, a private network address; "
        "Précis only fetches public web pages."
    )
    assert resolver.questions == ["internal.test"]
    assert connections == []


async def test_dns_answer_mixing_public_and_private_is_refused(connections: list[str]) -> None:
    resolver = MapResolver({"mixed.test": ["93.184.216.34", "127.0.0.1"]})
    with pytest.raises(BlockedAddress, match="127.0.0.1"):
        await fetch_url("http://mixed.test/", FetchLimits(timeout=5), resolver=resolver)
    assert connections == []


async def test_dns_name_connects_to_the_checked_address(
    server: LocalServer, limits: FetchLimits, connections: list[str]
) -> None:
    server.add_bytes("/named", b"by name")
    resolver = MapResolver({"news.test": ["127.0.0.1"]})
    fetched = await fetch_url(f"http://news.test:{server.port}/named", limits, resolver=resolver)
    assert fetched.data == b"by name"
    assert fetched.url == f"http://news.test:{server.port}/named"
    assert connections == ["127.0.0.1"]


async def test_unknown_name_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="Could not find the site nowhere.test"):
        await fetch_url("http://nowhere.test/", FetchLimits(timeout=5), resolver=MapResolver({}))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_blocked(address: str) -> None:
    with pytest.raises(BlockedAddress):
        check_address(address, ())


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    check_address(address, ())


def test_allowed_networks_open_exactly_what_they_list() -> None:
    allowed = (ipaddress.ip_network("127.0.0.1/32"),)
    check_address("127.0.0.1", allowed)
    check_address("::ffff:127.0.0.1", allowed)
    with pytest.raises(BlockedAddress):
        check_address("127.0.0.2", allowed)


def test_limits_from_settings() -> None:
    settings = load_settings(
        fetch_allowed_networks="127.0.0.1/32, 10.0.0.0/8", max_fetch_bytes=1000, fetch_timeout=3
    )
    limits = FetchLimits.from_settings(settings)
    assert limits.allowed_networks == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
    assert (limits.max_bytes, limits.timeout) == (1000, 3.0)
    assert FetchLimits.from_settings(load_settings()).allowed_networks == ()
    everything = FetchLimits.from_settings(load_settings(allow_private_addresses=True))
    check_address("10.0.0.1", everything.allowed_networks)
    check_address("fe80::1", everything.allowed_networks)


# --------------------------------------------------------------------------- schemes, credentials


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file.txt", "not ftp://"),
        ("file:///etc/passwd", "not file://"),
        ("example.org/news", "should start with http"),
        ("http:///nohost", "no site name"),
    ],
)
async def test_only_http_links(url: str, message: str, connections: list[str]) -> None:
    with pytest.raises(FetchError, match=message):
        await fetch_url(url, FetchLimits(timeout=5))
    assert connections == []


async def test_credentials_never_appear_in_messages_or_results(
    server: LocalServer, limits: FetchLimits
) -> None:
    port = server.port
    with pytest.raises(FetchError) as missing:
        await fetch_url(f"http://alice:s3cret@127.0.0.1:{port}/missing", limits)
    with pytest.raises(BlockedAddress) as blocked:
        await fetch_url("http://alice:s3cret@10.0.0.1/", limits)
    with pytest.raises(FetchError) as timeout:
        await fetch_url("ftp://alice:s3cret@example.org/", limits)
    for error in (missing.value, blocked.value, timeout.value):
        assert "s3cret" not in str(error) and "alice" not in str(error)
    server.add_bytes("/ok", b"ok")
    fetched = await fetch_url(f"http://alice:s3cret@127.0.0.1:{port}/ok", limits)
    assert "s3cret" not in fetched.url and "alice" not in fetched.url


# --------------------------------------------------------------------------- size limits


async def test_endless_body_is_cut_off_quickly(server: LocalServer) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        try:
            while True:
                await resp.write(chunk)
        except ConnectionError:  # the client hung up, as it should
            return resp

    limits = FetchLimits(max_bytes=1024 * 1024, timeout=10, allowed_networks=LOOPBACK_ONLY)
    started = time.monotonic()
    with pytest.raises(TooLarge, match=r"larger than 1 MB"):
        await fetch_url(server.add("/endless", endless), limits)
    assert time.monotonic() - started < 3


async def test_declared_content_length_is_refused_before_reading(server: LocalServer) -> None:
    async def huge(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/pdf"})
        resp.content_length = 5 * 1024 * 1024 * 1024
        await resp.prepare(request)
        await resp.write(b"%PDF-1.7\n")
        await asyncio.wait_for(server.released.wait(), 30)
        return resp

    limits = FetchLimits(max_bytes=1024 * 1024, timeout=10, allowed_networks=LOOPBACK_ONLY)
    started = time.monotonic()
    with pytest.raises(TooLarge):
        await fetch_url(server.add("/huge", huge), limits)
    assert time.monotonic() - started < 1.5


async def test_gzip_bomb_hits_the_cap_on_decompressed_bytes(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024  # tiny on the wire
    url = server.add_bytes("/bomb", bomb, "text/html", **{"Content-Encoding": "gzip"})
    limits = FetchLimits(max_bytes=1024 * 1024, timeout=10, allowed_networks=LOOPBACK_ONLY)
    with pytest.raises(TooLarge):
        await fetch_url(url, limits)


@pytest.mark.parametrize("encoding", ["gzip", "deflate-zlib", "deflate-raw", "br"])
async def test_compressed_pages_are_decoded(
    server: LocalServer, limits: FetchLimits, encoding: str
) -> None:
    body = PAGE.encode() * 50
    if encoding == "gzip":
        wire = gzip.compress(body)
    elif encoding == "deflate-zlib":
        wire = zlib.compress(body)
    elif encoding == "deflate-raw":
        packer = zlib.compressobj(wbits=-15)
        wire = packer.compress(body) + packer.flush()
    else:
        brotli = pytest.importorskip("brotli")
        wire = brotli.compress(body)
    header = encoding.split("-")[0]
    url = server.add_bytes("/z", wire, "text/html", **{"Content-Encoding": header})
    assert (await fetch_url(url, limits)).data == body


async def test_brotli_bomb_hits_the_cap(server: LocalServer) -> None:
    brotli = pytest.importorskip("brotli")
    bomb = brotli.compress(b"\0" * (64 * 1024 * 1024))
    url = server.add_bytes("/bbomb", bomb, "text/html", **{"Content-Encoding": "br"})
    limits = FetchLimits(max_bytes=1024 * 1024, timeout=10, allowed_networks=LOOPBACK_ONLY)
    with pytest.raises(TooLarge):
        await fetch_url(url, limits)


async def test_unknown_content_encoding_is_a_fetch_error(
    server: LocalServer, limits: FetchLimits
) -> None:
    zstd = b"\x28\xb5\x2f\xfd"
    url = server.add_bytes("/zstd", zstd, "text/html", **{"Content-Encoding": "zstd"})
    with pytest.raises(FetchError, match="'zstd'"):
        await fetch_url(url, limits)


# --------------------------------------------------------------------------- conditional GET


async def test_conditional_get_returns_not_modified(
    server: LocalServer, limits: FetchLimits
) -> None:
    async def feed(request: web.Request) -> web.Response:
        if (
            request.headers.get("If-None-Match") == '"abc"'
            or request.headers.get("If-Modified-Since") == "Wed, 01 Jan 2025 00:00:00 GMT"
        ):
            return web.Response(status=304, headers={"ETag": '"abc"'})
        return web.Response(
            body=b"<rss/>", content_type="application/rss+xml", headers={"ETag": '"abc"'}
        )

    url = server.add("/feed", feed)
    first = await fetch_url(url, limits)
    assert first.status == 200 and first.etag == '"abc"' and first.data == b"<rss/>"
    again = await fetch_url(url, limits, etag=first.etag)
    assert again.not_modified and again.data == b""
    by_date = await fetch_url(url, limits, last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    assert by_date.not_modified


async def test_unconditional_304_is_an_error(server: LocalServer, limits: FetchLimits) -> None:
    async def odd(_: web.Request) -> web.Response:
        return web.Response(status=304)

    with pytest.raises(FetchError, match="304"):
        await fetch_url(server.add("/odd", odd), limits)
