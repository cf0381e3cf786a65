#!/usr/bin/env python3
"""Regenerates the `--help` blocks of docs/CLI.md from the built tools, so the reference cannot
drift from the flags (Tests/CLITests/ReferenceDocsTests checks they agree).

    make cli-docs            # or: python3 scripts/cli_reference.py [BIN_DIR]

Each block sits between `<!-- begin: TOOL --help -->` and `<!-- end: TOOL --help -->` and holds
the tool's help as printed to a pipe (80 columns), in a ```text fence.
"""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "CLI.md"


def main() -> int:
    bin_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".build" / "release"
    text = DOC.read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    for tool in ("train", "translate", "inspect"):
        help_text = subprocess.run([str(bin_dir / tool), "--help"], capture_output=True, text=True, check=True, env=env).stdout
        block = f"<!-- begin: {tool} --help -->\n```text\n{help_text}```\n<!-- end: {tool} --help -->"
        pattern = re.compile(rf"<!-- begin: {tool} --help -->.*?<!-- end: {tool} --help -->", re.S)
        if not pattern.search(text):
            print(f"{DOC}: no block for {tool} (add the begin/end markers)", file=sys.stderr)
            return 1
        text = pattern.sub(lambda _: block, text)
    DOC.write_text(text, encoding="utf-8")
    print(f"updated {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
