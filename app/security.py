"""Security headers on every response, and a strict Content-Security-Policy.

No page of ours has inline script or style, so the policy allows none. The API docs page
(Swagger UI, served by the app itself) gets its own policy: its one inline script is
allowed by its hash, not by ``unsafe-inline``.
"""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
POLICY_BYTES = POLICY.encode()
HSTS = b"max-age=31536000; includeSubDomains"
NO_STORE = (b"cache-control", b"no-store")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # invitation links must not leak in Referer
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def docs_policy(docs_html: str) -> str:
    """The policy for the Swagger UI page: its inline script by hash, nothing else inline."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(docs_html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def security_headers(policy: bytes, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers every response carries, with ``policy`` as its Content-Security-Policy
    (HSTS only over TLS: behind a TLS proxy uvicorn's proxy headers make the scheme https)."""
    headers = [(b"content-security-policy", policy), *HEADERS]
    if https:
        headers.append((b"strict-transport-security", HSTS))
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.policies = {path: policy.encode() for path, policy in (policies or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = security_headers(
            self.policies.get(scope["path"], POLICY_BYTES), scope.get("scheme") == "https"
        )
        cacheable = scope["path"].startswith(("/static/", "/docs-assets/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *added]
                # Exports, reports and pages with tokens stay out of every cache unless a
                # route says otherwise; only the static files are shared.
                if not cacheable and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
