# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP transport of outgoing webhooks, guarded against SSRF at connect time.

The address is checked on the socket that is actually connected, so a DNS
answer that changes between the check at save and the send (rebinding) still
cannot reach a loopback, private, link-local or multicast address.
"""

import contextlib
import ipaddress

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


def is_public_address(address):
    """True for addresses a webhook may reach without an allow-list entry."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip in ipaddress.ip_network("100.64.0.0/10")
    )


class BlockedAddressError(NewConnectionError):
    """The webhook's host resolved to an internal address."""

    def __init__(self, conn, address):
        self.address = address
        super().__init__(conn, f"refused to connect to the internal address {address}")


class _GuardMixin:
    def _new_conn(self):
        sock = super()._new_conn()
        address = sock.getpeername()[0]
        if not is_public_address(address):
            sock.close()
            raise BlockedAddressError(self, address)
        return sock


class GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        res = super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }
        return res


@contextlib.contextmanager
def guarded_session(allow_internal=False):
    """A requests session that never follows proxies from the environment
    and, unless ``allow_internal`` (an allow-listed host), refuses internal
    addresses when it connects."""
    session = requests.Session()
    session.trust_env = False
    if not allow_internal:
        adapter = GuardedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    try:
        yield session
    finally:
        session.close()


def blocked_address(error):
    """The internal address a request was refused for, if that is the cause."""
    seen = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BlockedAddressError):
            return current.address
        stack.extend(getattr(current, "args", ()) or ())
        stack.append(getattr(current, "reason", None))
        stack.append(current.__cause__ if isinstance(current, BaseException) else None)
        stack.append(
            current.__context__ if isinstance(current, BaseException) else None
        )
    return None
