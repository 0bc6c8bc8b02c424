"""The device behind a citizen's request, as a FastAPI dependency (page and kiosk posts)."""

from typing import Annotated

from fastapi import Cookie, Depends, Request

from app.submissions.devices import DEVICE_COOKIE, KIOSK_COOKIE, DeviceTrace


async def get_device(
    request: Request,
    device_cookie: Annotated[
        str | None, Cookie(alias=DEVICE_COOKIE, description="set by the survey page")
    ] = None,
    kiosk_cookie: Annotated[
        str | None, Cookie(alias=KIOSK_COOKIE, description="1 on a counter's kiosk")
    ] = None,
) -> DeviceTrace:
    """The device behind a citizen's request: its cookie and address, never stored raw."""
    return DeviceTrace.of(
        device_cookie, kiosk_cookie, request.client.host if request.client else None
    )


DeviceDep = Annotated[DeviceTrace, Depends(get_device)]
