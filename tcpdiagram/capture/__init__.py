"""`tcpdiagram trace`: read pcap/pcapng captures, split TCP connections, infer both endpoints' states through the spec."""

from . import native

native.install()  # the compiled modules when a build of exactly these sources exists (native.py), else these
