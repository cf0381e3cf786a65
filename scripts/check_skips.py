#!/usr/bin/env python3
"""Fails CI when a test skipped for a reason that is not on the allow-list.

A test that skips because a package, a browser or the corpus is missing passes silently on a
machine without them; CI installs all of them, so there such a skip means a broken install
step, not a passing test. Reads the XCTest / pytest log on stdin (or a file), lists every skip,
and exits 1 if one is not matched by a line of .ci/allowed-skips (a regular expression per line,
with a comment saying why that skip is expected even in CI).
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
allowed = []
for line in (root / ".ci" / "allowed-skips").read_text().splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        allowed.append(re.compile(line))

text = open(sys.argv[1], encoding="utf-8", errors="replace").read() if len(sys.argv) > 1 else sys.stdin.read()
# XCTest: "File.swift:12: Suite.testName : Test skipped - reason"; pytest -rs: "SKIPPED [1] file:line: reason"
skips = re.findall(r"^.*(?:: Test skipped - |^SKIPPED \[\d+\] ).*$", text, flags=re.M)
unexpected = [s for s in skips if not any(p.search(s) for p in allowed)]
for s in skips:
    print(("UNEXPECTED SKIP: " if s in unexpected else "allowed skip: ") + s.strip())
if unexpected:
    print(f"{len(unexpected)} test(s) skipped in CI: install what they need in .ci/run, or allow them in .ci/allowed-skips with the reason")
    sys.exit(1)
print(f"skips checked: {len(skips)} allowed, none unexpected")
