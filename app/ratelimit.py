"""Rate limits on the public endpoints, per client, in this process's memory.

A token bucket per client and kind of endpoint: ``limit`` requests a minute, refilled
continuously. The client is a salted hash of its address (the salt is random per
process), kept in memory only and forgotten after ten idle minutes. Behind a proxy,
``sipas serve`` trusts ``X-Forwarded-For`` from it (``--proxy-headers``).
"""

import hashlib
import json
import math
import secrets
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

_IDLE_SECONDS = 600


@dataclass
class _Bucket:
    tokens: float
    at: float


def _kind(method: str, path: str) -> str | None:
    """Which limit a request falls under; None for what is not limited here."""
    if method == "POST" and path == "/api/v1/responses":
        return "submit"
    if path.startswith("/s/"):
        return "submit" if method == "POST" else "page"
    if method == "POST" and path == "/dashboard/login":
        return "login"
    return None


# Set on a request whose token is taken: a request counted once (by the submissions' hot
# path, which may then hand it on) is not counted again.
COUNTED_SCOPE_KEY = "sipas.rate_counted"


class RateLimiter:
    """The buckets of one process: shared by the middleware and the submissions' hot path,
    which answers before it."""

    def __init__(self, per_minute: int) -> None:
        # Pages are read more often than answered; sign-in attempts are few by nature.
        self.limits = {"submit": per_minute, "page": 4 * per_minute,
                       "login": max(1, per_minute // 6)}  # fmt: skip
        self.buckets: dict[tuple[str, str], _Bucket] = {}
        self.salt = secrets.token_bytes(16)
        self.last_sweep = time.monotonic()

    def admit(self, scope: Scope) -> float:
        """0 when the request may go on (a token taken, or none needed); else the seconds
        until it may."""
        if scope["type"] != "http" or scope.get(COUNTED_SCOPE_KEY) or self.limits["submit"] <= 0:
            return 0.0
        kind = _kind(scope.get("method", ""), scope.get("path", ""))
        if kind is None:
            return 0.0
        wait = self._take(kind, scope)
        if wait <= 0:
            scope[COUNTED_SCOPE_KEY] = True
        return wait

    def _take(self, kind: str, scope: Scope) -> float:
        """Take a token; 0 when there was one, else the seconds until there is."""
        now = time.monotonic()
        if now - self.last_sweep > _IDLE_SECONDS:
            self.buckets = {k: b for k, b in self.buckets.items() if now - b.at < _IDLE_SECONDS}
            self.last_sweep = now
        client = scope.get("client")
        address = client[0] if client else ""
        who = hashlib.blake2b(address.encode(), key=self.salt, digest_size=16).hexdigest()
        limit = self.limits[kind]
        bucket = self.buckets.setdefault((kind, who), _Bucket(float(limit), now))
        bucket.tokens = min(limit, bucket.tokens + (now - bucket.at) * limit / 60)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) * 60 / limit


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wait = self.limiter.admit(scope)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": "too many requests; try again shortly", "errors": []})
        await send({
            "type": "http.response.start",
            "status": 429,
            "headers": [(b"content-type", b"application/json"),
                        (b"retry-after", str(math.ceil(wait)).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body.encode()})
