#!/usr/bin/env python3
"""A DNS server for the resolve check, with nothing but the standard library.

Answers A queries for the names it is given, NOERROR with no answer for other
types of those names, and NXDOMAIN for every other name.

Usage: dns_stub.py ADDRESS PORT NAME=IPV4...
Prints "ready" once it listens; runs until killed.
"""
import socket
import struct
import sys


def main() -> None:
    address, port = sys.argv[1], int(sys.argv[2])
    table = {}
    for arg in sys.argv[3:]:
        name, ipv4 = arg.split("=", 1)
        table[name.lower().rstrip(".")] = socket.inet_aton(ipv4)
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((address, port))
    print("ready", flush=True)
    while True:
        query, peer = server.recvfrom(4096)
        if len(query) < 17:
            continue
        query_id, flags = struct.unpack(">HH", query[:4])
        labels, i = [], 12
        while i < len(query) and query[i] != 0:
            length = query[i]
            labels.append(query[i + 1:i + 1 + length].decode("ascii", "replace"))
            i += 1 + length
        i += 1
        if i + 4 > len(query):
            continue
        qtype, _ = struct.unpack(">HH", query[i:i + 4])
        question = query[12:i + 4]
        name = ".".join(labels).lower()
        answers, rcode = b"", 0
        if name not in table:
            rcode = 3  # NXDOMAIN
        elif qtype == 1:  # A
            answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + table[name]
        # QR, the query's RD, RA.
        reply_flags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode
        header = struct.pack(">HHHHHH", query_id, reply_flags, 1, 1 if answers else 0, 0, 0)
        server.sendto(header + question + answers, peer)


if __name__ == "__main__":
    main()
