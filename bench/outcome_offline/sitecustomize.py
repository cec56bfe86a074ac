"""Refuse every connection that leaves the machine, in each Python that imports it.

The outcome recorder puts this folder on ``PYTHONPATH`` for the notebooks it runs: a job in
production has no network nobody gave it, and refusing at once (rather than waiting for a
timeout) makes every download fail the same way on every machine.  Loopback and Unix
sockets stay open: the kernel talks to its client through them.
"""

import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _local(address) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(address):
    raise ConnectionRefusedError(111, f"network disabled for this job: {address[0]}")


def connect(self, address):
    if not _local(address):
        _refuse(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _local(address):
        _refuse(address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _local((host,)):
        raise socket.gaierror(-3, f"network disabled for this job: {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
