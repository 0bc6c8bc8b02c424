"""What counts as this machine: the hosts an http webhook (in development), the demo's
local gateway and an unauthenticated /metrics scraper may be on."""

import ipaddress


def is_this_machine(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1).

    >>> [is_this_machine(h) for h in ("localhost", "127.0.0.2", "::1", "10.0.0.1", None)]
    [True, True, True, False, False]
    """
    if not host:
        return False
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
