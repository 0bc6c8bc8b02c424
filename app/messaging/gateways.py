"""The gateways an invitation leaves through, each in its own API's shape: a brandname SMS
gateway (eSMS.vn's JSON API: the common shape of Vietnamese SMS providers) and Zalo's
ZNS template messages. One try each; retrying is the sender's."""

import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from app.config import Settings
from app.hosts import is_this_machine


@dataclass(frozen=True)
class Sent:
    ok: bool
    provider_id: str | None = None
    error: str | None = None
    latency_ms: int = 0


class Gateway(Protocol):
    @property
    def channel(self) -> str: ...

    @property
    def url(self) -> str: ...

    def send(self, client: httpx.Client, phone: str, text: str, data: dict[str, str],
             tracking_id: str) -> Sent: ...  # fmt: skip


def _post(
    client: httpx.Client, url: str, payload: dict[str, object], headers: dict[str, str]
) -> tuple[dict[str, object] | None, str | None, int]:
    started = time.monotonic()
    try:
        answer = client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as problem:
        return None, f"{type(problem).__name__}: {problem}", _ms(started)
    if not answer.is_success:
        return None, f"HTTP {answer.status_code} {answer.text[:200].strip()}", _ms(started)
    try:
        body = answer.json()
    except ValueError:
        return None, f"not JSON: {answer.text[:200].strip()}", _ms(started)
    if not isinstance(body, dict):
        return None, f"unexpected answer: {str(body)[:200]}", _ms(started)
    return body, None, _ms(started)


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


@dataclass(frozen=True)
class SmsGateway:
    """``POST {url}`` with ``{ApiKey, SecretKey, Phone, Content, Brandname, SmsType,
    RequestId}``; taken when ``CodeResult`` is ``"100"`` (its ``SMSID`` kept)."""

    url: str
    api_key: str
    secret_key: str
    brandname: str
    channel: str = "sms"

    def send(self, client: httpx.Client, phone: str, text: str, data: dict[str, str],
             tracking_id: str) -> Sent:  # fmt: skip
        payload: dict[str, object] = {
            "ApiKey": self.api_key, "SecretKey": self.secret_key, "Phone": phone,
            "Content": text, "Brandname": self.brandname, "SmsType": "2",
            "RequestId": tracking_id,
        }  # fmt: skip
        body, error, latency = _post(client, self.url, payload, {})
        if body is None:
            return Sent(False, error=error, latency_ms=latency)
        if str(body.get("CodeResult")) != "100":
            reason = body.get("ErrorMessage") or body.get("CodeResult")
            return Sent(False, error=f"refused: {reason}", latency_ms=latency)
        return Sent(True, provider_id=str(body.get("SMSID") or ""), latency_ms=latency)


@dataclass(frozen=True)
class ZaloZnsGateway:
    """``POST {url}`` with the ``access_token`` header and ``{phone: 84…, template_id,
    template_data, tracking_id}``; taken when ``error`` is 0 (its ``data.msg_id`` kept)."""

    url: str
    access_token: str
    template_id: str
    channel: str = "zalo"

    def send(self, client: httpx.Client, phone: str, text: str, data: dict[str, str],
             tracking_id: str) -> Sent:  # fmt: skip
        payload: dict[str, object] = {
            "phone": "84" + phone[1:], "template_id": self.template_id,
            "template_data": data, "tracking_id": tracking_id,
        }  # fmt: skip
        body, error, latency = _post(client, self.url, payload,
                                     {"access_token": self.access_token})  # fmt: skip
        if body is None:
            return Sent(False, error=error, latency_ms=latency)
        if body.get("error") != 0:
            return Sent(False, error=f"refused: {body.get('error')} {body.get('message')}",
                        latency_ms=latency)  # fmt: skip
        details = body.get("data")
        message_id = details.get("msg_id") if isinstance(details, dict) else None
        return Sent(True, provider_id=str(message_id or ""), latency_ms=latency)


def is_on_this_machine(gateway: Gateway) -> bool:
    """Whether the gateway listens on loopback: the local one of the demo, which sends
    nothing to a real phone."""
    return is_this_machine(urlsplit(gateway.url).hostname)


def configured_gateway(settings: Settings) -> Gateway | None:
    """The gateway the settings name, or None while it is not configured."""
    if settings.message_channel == "zalo":
        if settings.zalo_access_token and settings.zalo_template_id:
            return ZaloZnsGateway(settings.zalo_zns_url, settings.zalo_access_token,
                                  settings.zalo_template_id)  # fmt: skip
        return None
    if settings.sms_gateway_url and settings.sms_api_key and settings.sms_brandname:
        return SmsGateway(settings.sms_gateway_url, settings.sms_api_key,
                          settings.sms_secret_key or "", settings.sms_brandname)  # fmt: skip
    return None
