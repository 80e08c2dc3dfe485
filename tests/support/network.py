"""A network block: every non-loopback connection and name lookup raises, and is recorded."""

from __future__ import annotations

import socket

import pytest



# ------------------------------------------------------------------ network


_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0:0:0:0:0:0:0:1"}


def _is_local(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode()
    return isinstance(host, str) and (host in _LOOPBACK or host.startswith("127."))


class NetworkBlocked(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Every non-loopback connection (and name lookup) raises; returns the list of attempts.

    The list matters as much as the exception: a library that swallows a
    failed connection (telemetry, a download fallback) still shows up there.
    """
    attempts: list = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def refuse(what, address):
        attempts.append((what, address))
        raise NetworkBlocked(f"network blocked in tests: {what} {address!r}")

    def connect(self, address):
        if not _is_local(self.family, address):
            refuse("connect", address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(self.family, address):
            refuse("connect_ex", address)
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        if not _is_local(None, address):
            refuse("create_connection", address)
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_local(None, (host,)):
            refuse("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts
