"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, as Stripe and
Standard Webhooks do, so a receiver can tell our requests from forged or replayed ones.

The request carries ``X-SIPAS-Timestamp`` (Unix seconds) and ``X-SIPAS-Signature:
v1=<hex>``, where ``<hex>`` is HMAC-SHA256 with the rule's secret over the bytes
``<timestamp>.<body>``. docs/alerts.md shows a receiver's check.
"""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-SIPAS-Timestamp"
SIGNATURE_HEADER = "X-SIPAS-Signature"
# A receiver refuses a signature older (or newer) than this: a captured request cannot be
# replayed later.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-SIPAS-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signed: str, now: float) -> bool:
    """What a receiver checks: the timestamp is recent and the signature is ours.

    >>> sent = signature("s3cret", 1_790_000_000, b'{"a":1}')
    >>> verify("s3cret", "1790000000", b'{"a":1}', sent, now=1_790_000_060)
    True
    >>> verify("s3cret", "1790000000", b'{"a":2}', sent, now=1_790_000_060)
    False
    >>> verify("s3cret", "1790000000", b'{"a":1}', sent, now=1_790_001_000)
    False
    """
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)
