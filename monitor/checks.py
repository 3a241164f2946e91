"""The three kinds of check, asynchronous, each bounded by its timeout whatever the other side does.

Response times in milliseconds, timeouts in seconds, certificate lifetimes in days.
A check never raises: every outcome is a `CheckResult` saying what happened in a reason code.
"""
from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass

import httpx

from .safety import TargetPolicy, TargetRefused

SLOW_MS = 2000.0
"""An answer slower than this counts as "slow" (up, but degraded)."""
CERT_WARNING_DAYS = 14.0
"""A certificate with fewer days left counts as "cert_expiring" (up, but degraded)."""
KEYWORD_READ_LIMIT = 512 * 1024
"""Bytes of a body searched for the keyword; a larger body is not read further."""
MAX_REDIRECTS = 10

UP_REASONS = ("ok", "slow", "cert_expiring")


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str
    response_ms: float | None = None
    http_status: int | None = None
    cert_days_left: float | None = None
    detail: str | None = None

    @property
    def degraded(self) -> bool:
        return self.ok and self.reason != "ok"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _cert_days_left(response: httpx.Response) -> float | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    if not cert or "notAfter" not in cert:
        return None
    return round((ssl.cert_time_to_seconds(cert["notAfter"]) - time.time()) / 86400, 2)


def _tls_failure(exc: BaseException) -> CheckResult | None:
    """The TLS verdict hidden in a connection error, if it is one."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" not in text:
            return None
        cause_text = text
    else:
        cause_text = getattr(cause, "verify_message", None) or str(cause)
    if "expired" in cause_text:
        return CheckResult(False, "tls_expired", detail=cause_text[:300])
    return CheckResult(False, "tls_invalid", detail=cause_text[:300])


def _causes(exc: BaseException):
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1


def _refused_or_error(exc: BaseException) -> CheckResult:
    text = str(exc) or type(exc).__name__
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return CheckResult(False, "refused", detail=(str(cause) or text)[:300])
        if isinstance(cause, socket.gaierror):
            return CheckResult(False, "dns_failed", detail=(str(cause) or text)[:300])
    lowered = text.lower()
    if "refused" in lowered:
        return CheckResult(False, "refused", detail=text[:300])
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "temporary failure in name resolution" in lowered:
        return CheckResult(False, "dns_failed", detail=text[:300])
    return CheckResult(False, "error", detail=text[:300])


def make_client(verify: ssl.SSLContext | bool = True, policy: TargetPolicy | None = None,
                max_connections: int = 200) -> httpx.AsyncClient:
    """The HTTP client checks share (connection pooling keeps 300 services cheap). With `policy`,
    the first request of a check and every redirect it follows are judged before they are sent."""
    hooks = {}
    if policy is not None:
        async def judge(request: httpx.Request) -> None:
            policy.split_url(str(request.url))
            await policy.judge_host(request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80))

        hooks["request"] = [judge]
    return httpx.AsyncClient(verify=verify, follow_redirects=True, max_redirects=MAX_REDIRECTS, event_hooks=hooks,
                             limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
                             headers={"User-Agent": "AmbonCommandCenter-Monitor/1"})


async def check_http(client: httpx.AsyncClient, url: str, *, timeout_s: float, keyword: str | None = None) -> CheckResult:
    """GET `url` with `client` (see make_client; redirects followed, at most MAX_REDIRECTS) within
    `timeout_s` in all; up when the final status is below 400 and `keyword` (if any) is in the body."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream("GET", url, timeout=timeout_s) as response:
                cert_days = _cert_days_left(response)
                found = None
                if keyword and response.status_code < 400:
                    found, seen = False, b""
                    needle = keyword.encode()
                    async for chunk in response.aiter_bytes():
                        seen = seen[-len(needle):] + chunk
                        if needle in seen:
                            found = True
                            break
                        if response.num_bytes_downloaded > KEYWORD_READ_LIMIT:
                            break
                elapsed = _ms(started)
    except TargetRefused as exc:
        return CheckResult(False, "refused_target", detail=f"{exc.code}: {exc}"[:300])
    except (TimeoutError, httpx.TimeoutException):
        return CheckResult(False, "timeout", response_ms=_ms(started), detail=f"no answer within {timeout_s:g} s")
    except httpx.TooManyRedirects as exc:
        return CheckResult(False, "redirect_loop", detail=str(exc)[:300])
    except httpx.ConnectError as exc:
        return _tls_failure(exc) or _refused_or_error(exc)
    except (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError, httpx.ReadError) as exc:
        return CheckResult(False, "bad_response", response_ms=_ms(started), detail=(str(exc) or type(exc).__name__)[:300])
    except httpx.UnsupportedProtocol as exc:
        return CheckResult(False, "refused_target", detail=str(exc)[:300])
    except (httpx.HTTPError, OSError, ValueError) as exc:
        return _tls_failure(exc) or _refused_or_error(exc)
    status = response.status_code
    if status >= 400:
        return CheckResult(False, "http_status", elapsed, status, cert_days, f"HTTP {status}")
    if found is False:
        return CheckResult(False, "keyword_missing", elapsed, status, cert_days, f"{keyword!r} not in the answer")
    if cert_days is not None and cert_days < CERT_WARNING_DAYS:
        return CheckResult(True, "cert_expiring", elapsed, status, cert_days)
    if elapsed > SLOW_MS:
        return CheckResult(True, "slow", elapsed, status, cert_days)
    return CheckResult(True, "ok", elapsed, status, cert_days)


def split_host_port(target: str) -> tuple[str, int]:
    """"host:port" (or "[v6]:port") → (host, port); ValueError when there is no port."""
    host, sep, port = target.strip().rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"{target!r} is not host:port")
    return host.strip("[]"), int(port)


async def check_tcp(target: str, *, timeout_s: float, policy: TargetPolicy | None = None) -> CheckResult:
    """Open a TCP connection to "host:port" within `timeout_s`; up when it is accepted."""
    started = time.perf_counter()
    try:
        host, port = split_host_port(target)
        async with asyncio.timeout(timeout_s):
            if policy is not None:
                await policy.judge_host(host, port)
            _reader, writer = await asyncio.open_connection(host, port)
            elapsed = _ms(started)
            writer.close()
    except TargetRefused as exc:
        return CheckResult(False, "refused_target", detail=f"{exc.code}: {exc}"[:300])
    except TimeoutError:
        return CheckResult(False, "timeout", response_ms=_ms(started), detail=f"no connection within {timeout_s:g} s")
    except ValueError as exc:
        return CheckResult(False, "error", detail=str(exc)[:300])
    except socket.gaierror as exc:
        return CheckResult(False, "dns_failed", detail=str(exc)[:300])
    except OSError as exc:
        return _refused_or_error(exc)
    return CheckResult(True, "slow" if elapsed > SLOW_MS else "ok", elapsed)


async def check_dns(name: str, *, timeout_s: float) -> CheckResult:
    """Resolve `name` within `timeout_s`; up when it has at least one address (listed in `detail`)."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            infos = await asyncio.get_running_loop().getaddrinfo(name.strip(), None, type=socket.SOCK_STREAM)
    except TimeoutError:
        return CheckResult(False, "timeout", response_ms=_ms(started), detail=f"no answer within {timeout_s:g} s")
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        return CheckResult(False, "dns_failed", detail=str(exc)[:300])
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        return CheckResult(False, "dns_failed", detail="no address")
    return CheckResult(True, "ok", _ms(started), detail=", ".join(addresses)[:300])
