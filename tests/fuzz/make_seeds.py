#!/usr/bin/env python3
"""Seed corpora and the JSON dictionary for the fuzz targets (scripts/fuzz, docs/reliability.md).

  make_seeds.py wire PCAP_DIR OUT_DIR       frames of every capture, cut at every layer
  make_seeds.py scenario SOURCE_DIR OUT_DIR the shipped scenarios, bases and test scenarios
  make_seeds.py dict SCHEMA_JSON OUT_FILE   every key and enum string of the scenario schema

Wire seeds are [selector][virtual-length byte][bytes] (tests/fuzz/wire_fuzz.cpp): a whole frame
for the describers, and the same frame's ARP, IPv4, ICMP, UDP, TCP, VRRP, HA and HTTP bytes for
their own parsers. Frames of the same shape (layer, protocol, TCP flags, length) are kept once,
so a capture of a minute of traffic gives a few hundred seeds, not a hundred thousand.
"""

import hashlib
import json
import os
import struct
import sys

# Selector values of tests/fuzz/wire_fuzz.cpp.
FRAME, ARP, IPV4, ICMP, UDP, TCP, VRRP, HA, TEXT, HTTP = range(10)
HA_PORT = 8849  # models/wire/ha.hpp
PER_SHAPE = 2
SEPARATOR = b"\n#file\n"  # tests/fuzz/scenario_fuzz.cpp


def pcap_frames(path):
    """(stored bytes, original length) of every record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file")
    at = 24
    while at + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + "IIII", data[at:at + 16])
        at += 16
        yield data[at:at + incl], orig
        at += incl


def layers(frame):
    """(selector, bytes, shape) of each layer of an Ethernet frame that a parser reads."""
    yield FRAME, frame, ()
    if len(frame) < 14:
        return
    ethertype = struct.unpack(">H", frame[12:14])[0]
    body = frame[14:]
    if ethertype == 0x0806:
        yield ARP, body, (body[6:8],)
        return
    if ethertype != 0x0800 or len(body) < 20:
        return
    ihl = (body[0] & 0x0F) * 4
    total = struct.unpack(">H", body[2:4])[0]
    proto = body[9]
    yield IPV4, body, (proto,)
    l4 = body[ihl:max(ihl, min(total, len(body)))]
    if proto == 1:
        yield ICMP, l4, (l4[:1],)
    elif proto == 112:
        yield VRRP, l4, (l4[:1],)
    elif proto == 17 and len(l4) >= 8:
        yield UDP, l4, ()
        ports = struct.unpack(">HH", l4[:4])
        if HA_PORT in ports:
            yield HA, l4[8:], (l4[13:14],)
    elif proto == 6 and len(l4) >= 20:
        flags = l4[13]
        yield TCP, l4, (flags,)
        data = l4[(l4[12] >> 4) * 4:]
        if data:
            yield HTTP, data, (data[:4],)


def wire_seeds(pcap_dir, out):
    os.makedirs(out, exist_ok=True)
    shapes = {}
    count = 0
    for name in sorted(os.listdir(pcap_dir)):
        if not name.endswith(".pcap"):
            continue
        for frame, orig in pcap_frames(os.path.join(pcap_dir, name)):
            virt = min(255, max(0, orig - len(frame)) // 8)
            for selector, data, shape in layers(frame):
                key = (selector, shape, len(data) // 64, virt > 0)
                if shapes.get(key, 0) >= PER_SHAPE:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                count += write_seed(out, bytes([selector, virt]) + data)
    # No shipped scenario runs VRRPv2 (RFC 3768): one advertisement, vrid 3, priority 200, one
    # address, no authentication, 1 s interval, its checksum over the message alone.
    v2 = bytearray([0x21, 3, 200, 1, 0, 1, 0, 0, 198, 51, 100, 1] + [0] * 8)
    v2[6:8] = struct.pack(">H", checksum(bytes(v2)))
    count += write_seed(out, bytes([VRRP, 0]) + bytes(v2))
    for text in (b"10.0.2.11", b"02:00:00:00:00:0b", b"00-00-5E-00-01-03", b"192.168.10.0/24", b"0.0.0.0/0"):
        count += write_seed(out, bytes([TEXT, 0]) + text)
    for head in (b"GET / HTTP/1.1\r\nHost: 203.0.113.10\r\nX-Response-Size: 2048\r\n\r\n",
                 b"HTTP/1.1 200 OK\r\nContent-Length: 2048\r\nConnection: close\r\n\r\n"):
        count += write_seed(out, bytes([HTTP, 0]) + head)
    return count


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def write_seed(out, data):
    path = os.path.join(out, hashlib.sha1(data).hexdigest())
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(data)
    return 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def scenario_seeds(source, out):
    os.makedirs(out, exist_ok=True)
    count = 0
    for sub in ("scenarios", "scenarios/base", "tests/runner/good", "tests/runner/bad"):
        d = os.path.join(source, sub)
        for name in sorted(os.listdir(d)):
            if name.endswith(".json") and name != "schema.json":
                count += write_seed(out, read(os.path.join(d, name)))
    # Inputs with their own files (scenario_fuzz.cpp: main.json, then f1.json, f2.json, ...).
    minimal = read(os.path.join(source, "tests/runner/good/minimal.json"))
    base = read(os.path.join(source, "scenarios/base/seed-cluster.json"))
    multi = [
        [b'{"extends": "f1.json", "name": "own-base", "seed": 7}', base],
        [b'{"extends": "f1.json", "duration": "10s"}', b'{"extends": "f2.json", "seed": 3}', minimal],
        [minimal.replace(b'"lans": [', b'"lans": [{"include": "f1.json", "name": "extra"}, ', 1),
         b'{"subnet": "10.9.0.0/24", "description": "included"}'],
        [b'{"extends": "f1.json"}', b'{"extends": "main.json"}'],
    ]
    for parts in multi:
        count += write_seed(out, SEPARATOR.join(parts))
    return count


def dictionary(schema_path, out):
    keys, strings = set(), set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.get("properties", {}).items():
                keys.add(k)
                walk(v)
            for s in node.get("enum", []):
                if isinstance(s, str):
                    strings.add(s)
            for k, v in node.items():
                if k != "properties":
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    with open(schema_path) as f:
        walk(json.load(f))
    # The composer's own keys and syntax (runner/compose.hpp), and the text forms of values.
    keys |= {"extends", "include", "parameters", "count", "first", "as"}
    tokens = ["${", "{i}", "{1 + i}", "{10.0.2.10 + i}", "#file", "null", "true", "false", "1e400",
              "-0", "10.0.2.11/24", "203.0.113.10", "02:00:00:00:00:01", "default", "20ms", "1.5s",
              "8760h", "100Mbit/s", "1Gbit/s", "0.5", "65535", "203.0.113.10:80"]
    with open(out, "w") as f:
        for k in sorted(keys):
            f.write(json.dumps(json.dumps(k)) + "\n")
        for s in sorted(strings - keys):
            f.write(json.dumps(json.dumps(s)) + "\n")
        for t in tokens:
            f.write(json.dumps(t) + "\n")
    return len(keys) + len(strings - keys) + len(tokens)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("wire", "scenario", "dict"):
        sys.exit(__doc__)
    kind, src, out = sys.argv[1:]
    made = {"wire": wire_seeds, "scenario": scenario_seeds, "dict": dictionary}[kind](src, out)
    print(f"make_seeds: {made} {'entries' if kind == 'dict' else 'seeds'} in {out}")


if __name__ == "__main__":
    main()
