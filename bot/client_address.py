"""Who is asking, behind a reverse proxy: the peer's address, unless the peer is one of IPBOT_TRUSTED_PROXIES,
in which case the address that proxy reports (X-Forwarded-For, read from the right past every trusted hop, or
X-Real-IP). Headers from anyone else are ignored: a client cannot choose the address it is counted under."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(setting: str) -> tuple[Network, ...]:
    """'127.0.0.1, 10.0.0.0/8' → networks; ValueError naming the bad item."""
    networks = []
    for item in (part.strip() for part in setting.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"IPBOT_TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return tuple(networks)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, headers: Mapping[str, str], proxies: tuple[Network, ...]) -> str:
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = [hop.strip() for hop in headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, proxies):
            return hop[:64] if _valid(hop) else peer
    real = headers.get("X-Real-IP", "").strip()
    return real if real and _valid(real) else peer


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
