"""`tcpdiagram trace`: read pcap/pcapng captures, split TCP connections, infer both endpoints' states through the spec."""
