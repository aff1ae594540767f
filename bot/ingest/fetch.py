"""The one guarded fetcher: every link Précis downloads goes through `fetch_url`.

A link from a user is untrusted. It may point at this machine, the cloud
metadata service or an internal host — directly, through a redirect or through
a DNS answer — or serve an endless body or a decompression bomb. So:

* only http/https; redirects are followed by hand and every hop is re-checked;
* literal IP hosts are checked before any connection is made;
* names are resolved by `GuardedResolver`, which checks every address of the
  answer and hands aiohttp only those checked addresses, so aiohttp connects to
  exactly what was checked (no DNS-rebinding window); a socket factory checks
  the address once more just before `connect()`;
* the body is streamed under a byte cap that counts *decompressed* bytes (we
  decompress ourselves, in bounded steps), with a total and a read timeout.

The address checks live in `bot.ingest.addresses` and the bounded
decompression in `bot.ingest.decompress`; this module is the download itself.
"""

from __future__ import annotations

import asyncio
import ipaddress
import weakref
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot.errors import FetchError, TooLarge
from bot.ingest.addresses import (
    GuardedResolver,
    IPNetwork,
    check_address,
    guarded_socket_factory,
)
from bot.ingest.decompress import ACCEPT_ENCODING, DECODE_ERRORS, decoder_for

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_ACCEPT",
    "REDIRECT_STATUSES",
    "FetchLimits",
    "Fetched",
    "check_address",
    "fetch_url",
    "make_session",
]

DEFAULT_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,"
    "text/plain;q=0.8,text/markdown;q=0.8,application/pdf;q=0.8,*/*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 15.0
    # Extra networks allowed even though they are private/loopback (127.0.0.1/32 in tests).
    allowed_networks: tuple[IPNetwork, ...] = ()
    max_redirects: int = 5
    user_agent: str = "Precis/0.1 (+self-hosted news summary bot)"

    @classmethod
    def from_settings(cls, settings: Any) -> FetchLimits:
        networks: tuple[IPNetwork, ...]
        if getattr(settings, "allow_private_addresses", False):
            networks = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
        else:
            raw = getattr(settings, "fetch_allowed_networks", None) or []
            if isinstance(raw, str):
                raw = raw.split(",")
            networks = tuple(
                ipaddress.ip_network(str(item).strip(), strict=False)
                for item in raw
                if str(item).strip()
            )
        return cls(
            max_bytes=int(getattr(settings, "max_fetch_bytes", cls.max_bytes)),
            timeout=float(getattr(settings, "fetch_timeout", cls.timeout)),
            allowed_networks=networks,
        )


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects, without credentials
    status: int
    data: bytes
    content_type: str | None  # media type, lowercased, without parameters
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --------------------------------------------------------------------------- sessions

# Sessions built by `make_session`, with the networks their resolver allows.
_GUARDED: weakref.WeakKeyDictionary[aiohttp.ClientSession, tuple[IPNetwork, ...]] = (
    weakref.WeakKeyDictionary()
)


def make_session(
    limits: FetchLimits, *, resolver: AbstractResolver | None = None
) -> aiohttp.ClientSession:
    """A ClientSession whose every connection is guarded; reuse it across fetches.

    `resolver` answers DNS questions (default: the system resolver); its answers
    are checked before use. Call from a running event loop; close it when done.
    """
    connector_args: dict[str, Any] = {
        "resolver": GuardedResolver(limits.allowed_networks, resolver),
        "limit": 20,
    }
    try:
        connector = aiohttp.TCPConnector(
            **connector_args, socket_factory=guarded_socket_factory(limits.allowed_networks)
        )
    except TypeError:  # aiohttp < 3.12 has no socket_factory; the resolver still guards
        connector = aiohttp.TCPConnector(**connector_args)
    session = aiohttp.ClientSession(
        connector=connector,
        trust_env=False,  # never route through proxies taken from the environment
        auto_decompress=False,  # we decompress ourselves, under the byte cap
        headers={"User-Agent": limits.user_agent},
    )
    _GUARDED[session] = limits.allowed_networks
    return session


# --------------------------------------------------------------------------- helpers


def _size(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        return f"{n // mib} MB" if n % mib == 0 else f"{n / mib:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def _seconds(t: float) -> str:
    return f"{t:g} s"


def _host(url: URL) -> str:
    return url.host or "that site"


def _too_large(limits: FetchLimits) -> TooLarge:
    return TooLarge(f"The page is larger than {_size(limits.max_bytes)}.")


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return (media.strip().lower() or None), charset


def _check_url(url: URL, limits: FetchLimits, lead: str) -> None:
    scheme = (url.scheme or "").lower()
    if scheme not in ("http", "https"):
        if not scheme:
            raise FetchError("That is not a web link: it should start with http:// or https://.")
        raise FetchError(f"Précis only fetches http:// and https:// links, not {scheme}:// ones.")
    if not url.host:
        raise FetchError("That link has no site name in it; check it and try again.")
    host = url.host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return  # a name: checked by GuardedResolver when it is resolved
    check_address(host, limits.allowed_networks, lead=lead)


def _status_error(url: URL, status: int, reason: str | None) -> FetchError:
    what = f"{status} {reason}".strip() if reason else str(status)
    message = f"The page at {_host(url)} answered {what}."
    if status == 404 or status == 410:
        message += " Check the link."
    elif status in (401, 403):
        message += " It may need a login or refuse automated readers."
    elif status == 429:
        message += " The site is rate-limiting; try again later."
    elif status >= 500:
        message += " The site has a problem; try again later."
    return FetchError(message)


# --------------------------------------------------------------------------- fetching


@dataclass
class _Request:
    accept: str
    etag: str | None
    last_modified: str | None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = {"Accept": self.accept, "Accept-Encoding": ACCEPT_ENCODING}
        if self.etag:
            self.headers["If-None-Match"] = self.etag
        if self.last_modified:
            self.headers["If-Modified-Since"] = self.last_modified

    @property
    def conditional(self) -> bool:
        return bool(self.etag or self.last_modified)


async def fetch_url(
    url: str,
    limits: FetchLimits,
    *,
    session: aiohttp.ClientSession | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
    resolver: AbstractResolver | None = None,
) -> Fetched:
    """GET `url` under `limits`, following redirects by hand, refusing non-public hosts.

    `session` must come from `make_session` (with the same allowed networks);
    `resolver` (for a session made here) answers DNS questions, e.g. in tests.
    A conditional GET (etag / last_modified) may return a `not_modified` result.
    """
    if session is not None:
        if resolver is not None:
            raise ValueError("pass either a session or a resolver, not both")
        guarded = _GUARDED.get(session)
        if guarded is None:
            raise ValueError("fetch_url needs a session made by make_session()")
        if guarded != limits.allowed_networks:
            raise ValueError("the session was made with other allowed_networks than limits")

    try:
        start = URL(url.strip())
    except (ValueError, TypeError):
        raise FetchError("That link is not a valid web address.") from None
    request = _Request(accept or DEFAULT_ACCEPT, etag, last_modified)

    own = session is None
    client = make_session(limits, resolver=resolver) if session is None else session
    try:
        async with asyncio.timeout(limits.timeout):
            return await _follow(client, start, limits, request)
    except TimeoutError:
        raise FetchError(
            f"The page took longer than {_seconds(limits.timeout)} to answer; try again later."
        ) from None
    finally:
        if own:
            await client.close()


async def _follow(
    session: aiohttp.ClientSession, url: URL, limits: FetchLimits, request: _Request
) -> Fetched:
    lead = "That link points at"
    for _ in range(limits.max_redirects + 1):
        try:
            _check_url(url, limits, lead)
            target = url.with_fragment(None)
            return await _get(session, target, limits, request)
        except _Redirect as redirect:
            location = redirect.location
        except UnicodeError:  # a site name IDNA refuses (a 300-character label, "a..b")
            raise FetchError(f"{lead} a site name that is not valid.") from None
        try:
            url = target.join(URL(location))
        except (ValueError, TypeError):
            raise FetchError(
                f"The page at {_host(target)} redirected to an invalid address."
            ) from None
        try:
            _check_url(url, limits, "That link redirects to")  # file://, ftp://: refused here
            if url.host != target.host or url.port != target.port:
                url = url.with_user(None)  # credentials never travel to another site
        except UnicodeError:
            raise FetchError("That link redirects to a site name that is not valid.") from None
        lead = "That link redirects to"
    raise FetchError(
        f"The link redirected more than {limits.max_redirects} times; "
        "open it in a browser and share the final address."
    )


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


async def _get(
    session: aiohttp.ClientSession, url: URL, limits: FetchLimits, request: _Request
) -> Fetched:
    read_timeout = min(limits.timeout, 10.0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=read_timeout, sock_read=read_timeout)
    host = _host(url)
    try:
        async with session.get(
            url,
            headers=request.headers,
            allow_redirects=False,
            timeout=timeout,
        ) as resp:
            if resp.status in REDIRECT_STATUSES:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError(f"The page at {host} redirected without saying where.")
                raise _Redirect(location)
            if resp.status == 304 and request.conditional:
                return _result(url, resp, b"")
            if not 200 <= resp.status < 300:
                raise _status_error(url, resp.status, resp.reason)
            data = await _read_body(resp, limits, host)
            return _result(url, resp, data)
    except (FetchError, TooLarge, _Redirect):
        raise
    except aiohttp.ClientConnectorDNSError:
        raise FetchError(f"Could not find the site {host}; check the link for typos.") from None
    except aiohttp.ClientConnectorCertificateError:
        raise FetchError(
            f"The site {host} has an invalid security certificate; Précis will not read it."
        ) from None
    except aiohttp.ClientSSLError:
        raise FetchError(f"Could not open a secure connection to {host}.") from None
    except aiohttp.ClientConnectorError:
        raise FetchError(
            f"Could not connect to {host}; the site may be down, try again later."
        ) from None
    except aiohttp.InvalidURL:
        raise FetchError("That link is not a valid web address.") from None
    except (TimeoutError, aiohttp.ServerTimeoutError):
        raise FetchError(
            f"The page took longer than {_seconds(limits.timeout)} to answer; try again later."
        ) from None
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError):
        raise FetchError(
            f"The connection to {host} broke off before the page was complete; try again later."
        ) from None
    except aiohttp.ClientResponseError as exc:
        raise FetchError(
            f"The site {host} sent a malformed answer ({exc.status}); Précis cannot read it."
        ) from None
    except aiohttp.ClientError:
        raise FetchError(f"Could not fetch the page at {host}; try again later.") from None


async def _read_body(resp: aiohttp.ClientResponse, limits: FetchLimits, host: str) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(limits)  # say so before downloading anything
    decoder = decoder_for(resp.headers.get("Content-Encoding"), host)
    parts: list[bytes] = []
    raw = decoded = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        raw += len(chunk)
        if raw > limits.max_bytes:
            raise _too_large(limits)
        try:
            out = decoder.decode(chunk, limits.max_bytes - decoded)
        except DECODE_ERRORS:
            raise FetchError(
                f"The page at {host} was sent with broken compression; try again later."
            ) from None
        decoded += len(out)
        if decoded > limits.max_bytes:
            raise _too_large(limits)
        parts.append(out)
    return b"".join(parts)


def _result(url: URL, resp: aiohttp.ClientResponse, data: bytes) -> Fetched:
    content_type, charset = _parse_content_type(resp.headers.get("Content-Type"))
    return Fetched(
        url=str(url.with_user(None)),
        status=resp.status,
        data=data,
        content_type=content_type,
        charset=charset,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
    )
