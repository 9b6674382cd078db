#!/usr/bin/env python3
"""Checks the expected values of Fixtures/parsing.sql against Python's urllib.parse.

Reads the session rows ('pNN', <origin literal>) and the case rows
('pNN', '<column>', <expected literal>, 'oracle'|'exempt') of parsing.sql, parses each
origin with an independent Python implementation of docs/mart.md's rules built on
urllib.parse.unquote_plus, and compares. Cases marked 'exempt' (invalid UTF-8, %00, where
unquote_plus substitutes U+FFFD or yields NUL) are reported but not compared; the script
also checks that every exempt case really is one (it contains an invalid sequence or %00).
Exits 1 on any disagreement.
"""
import re
import sys
from pathlib import Path
from urllib.parse import unquote_plus

FIXTURE = Path(__file__).with_name("Fixtures") / "parsing.sql"
WS = " \t\n\r\f\v"
LIT = r"(NULL|E'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')"
SESSION_RE = re.compile(r"^\s*\('(p\d+)',\s*" + LIT + r"\)\s*,?\s*$")
CASE_RE = re.compile(r"^\s*\('(p\d+)',\s*'(\w+)',\s*" + LIT + r",\s*'(oracle|exempt)'\)\s*,?\s*$")


def sql_literal(tok):
    if tok == "NULL":
        return None
    if tok.startswith("E'"):
        body = tok[2:-1].replace("''", "'")
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\":
                nxt = body[i + 1]
                if nxt == "u":
                    out.append(chr(int(body[i + 2:i + 6], 16)))
                    i += 6
                    continue
                out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f", "b": "\b",
                            "\\": "\\", "'": "'"}.get(nxt, nxt))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)
    return tok[1:-1].replace("''", "'")


def query_of(origin):
    if origin is None:
        return None
    if "?" not in origin:
        return origin if "/" not in origin and "=" in origin else None
    base, hash_, frag = origin.partition("#")
    q = base.partition("?")[2] if "?" in base else None
    if hash_ and "?" in frag:
        fq = frag.partition("?")[2]
        q = fq if q is None else q + "&" + fq
    return q


def clean(v):
    v = v.strip(WS)
    if v == "":
        return None
    m = v.find("{{")
    if m >= 0 and v.find("}}", m + 2) >= 0:
        return None
    return v


def params(origin):
    q = query_of(origin)
    found = {}
    if q is None:
        return found
    for pair in q.split("&"):
        k, eq, v = pair.partition("=")
        key = unquote_plus(k).strip(WS).lower()
        if key in found:
            continue
        found[key] = clean(unquote_plus(v)) if eq else None
    return found


def column(found, col):
    if col == "ad_id":
        return found.get("ad_id") if found.get("ad_id") is not None else found.get("h_ad_id")
    return found.get(col)


def really_exempt(origin):
    raw = query_of(origin) or ""
    if re.search(r"%00", raw):
        return True
    # an invalid UTF-8 sequence among the percent-escapes makes unquote_plus substitute U+FFFD
    return "\ufffd" in unquote_plus(raw)


def main():
    sessions, cases, bad = {}, [], 0
    for number, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines(), start=1):
        m = CASE_RE.match(line)
        if m:
            cases.append((m.group(1), m.group(2), sql_literal(m.group(3)), m.group(4)))
            continue
        m = SESSION_RE.match(line)
        if m:
            sessions[m.group(1)] = sql_literal(m.group(2))
            continue
        # A row that names a parsing session but matches neither pattern would silently
        # escape the oracle: every such line must be readable.
        if re.match(r"^\s*\('p\d+'", line):
            print(f"FAIL line {number}: a row of a parsing session the oracle cannot read: {line.strip()}")
            bad += 1
    if not sessions or not cases:
        print("no cases found in", FIXTURE)
        return 1
    for sid, col, expected, kind in cases:
        if sid not in sessions:
            print(f"FAIL {sid} {col}: no session row")
            bad += 1
            continue
        origin = sessions[sid]
        if col == "origin_raw":
            got = origin
        else:
            got = column(params(origin), col)
        if kind == "exempt":
            if not really_exempt(origin):
                print(f"FAIL {sid} {col}: marked exempt but has no invalid UTF-8 / %00")
                bad += 1
            else:
                print(f"skip {sid} {col}: exempt (oracle says {got!r}, fixture {expected!r})")
            continue
        if got != expected:
            print(f"FAIL {sid} {col}: oracle {got!r} != fixture {expected!r}")
            bad += 1
    print(f"{len(cases)} cases, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
