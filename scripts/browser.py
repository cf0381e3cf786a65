#!/usr/bin/env python3
"""Loads a local page in headless Chromium and drives it over the DevTools protocol.

Standard library only. Chromium talks to us through --remote-debugging-pipe: it reads commands
on its fd 3 and writes replies and events on its fd 4, one JSON message per NUL-terminated chunk.

    python3 scripts/browser.py --url file:///abs/page.html [--actions actions.json]
                               [--screenshot out.png] [--width 1400] [--height 900] [--full-page]

Actions (a JSON list, run in order after the page has loaded):
    {"eval": "JS expression"}            its value (JSON) is appended to "results"
    {"key": "ArrowRight"}                a key press sent to the page (keyDown + keyUp)
    {"wait": 200}                        milliseconds
    {"screenshot": "out.png", "full": true}       the whole page (else the window)
    {"screenshot": "out.png", "until": "#map"}    from the top down to the bottom of an element

Prints one JSON object on stdout: "results", "console" (every console message with its type),
"exceptions" (uncaught errors), "log" (browser log entries: CSP violations, failed loads),
"requests" (every URL the page asked for, its own included). The page runs with a proxy that
goes nowhere, so any network request would also fail. Exit status: 0 when the actions ran, 1 when
the browser could not be started or driven (the message says why), 2 on the time limit.
"""
import argparse
import base64
import ctypes
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KEYS = {"ArrowRight": 39, "ArrowLeft": 37, "ArrowUp": 38, "ArrowDown": 40, "Home": 36, "End": 35,
        "Enter": 13, "Escape": 27, "Tab": 9}


class BrowserError(Exception):
    pass


class DevTools:
    """One Chromium process and its DevTools pipe."""

    def __init__(self, chromium, width, height, deadline):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix="tt-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire_fds():
            # If this script is killed, Chromium goes with it (Linux: PR_SET_PDEATHSIG).
            try:
                ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
            except (OSError, AttributeError):
                pass
            # Chromium expects the pipe on fds 3 and 4; move them there (via high numbers, in
            # case the pipes already occupy 3 or 4) and keep them open across exec.
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3, inheritable=True)
            os.dup2(b, 4, inheritable=True)
            os.close(a)
            os.close(b)

        args = [chromium, "--headless", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--disable-gpu", "--mute-audio", "--hide-scrollbars", f"--window-size={width},{height}",
                # Any request the page might make goes to a proxy that does not exist.
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
                                         close_fds=False, preexec_fn=wire_fds)
        except OSError as e:
            raise BrowserError(f"cannot start {chromium}: {e}")
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def receive(self):
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the browser did not answer in time")
            ready, _, _ = select.select([self.from_child], [], [], min(left, 1.0))
            if not ready:
                if self.proc.poll() is not None:
                    raise BrowserError(f"chromium exited with status {self.proc.returncode}: {self.stderr_text()}")
                continue
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed the DevTools pipe: {self.stderr_text()}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        wanted = self.send(method, params, session)
        while True:
            msg = self.receive()
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            msg = self.receive()
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                    self.proc.wait(timeout=5)
                except Exception:
                    pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=5)
        finally:
            for fd in (self.to_child, self.from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


def run(opts, actions):
    deadline = time.monotonic() + opts.timeout
    browser = DevTools(opts.chromium, opts.width, opts.height, deadline)
    report = {"results": [], "console": [], "exceptions": [], "log": [], "requests": []}
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", {}, session)
        metrics = {"width": opts.width, "height": opts.height, "deviceScaleFactor": 1, "mobile": False}
        browser.call("Emulation.setDeviceMetricsOverride", metrics, session)
        browser.call("Page.navigate", {"url": opts.url}, session)
        browser.wait_event("Page.loadEventFired")

        def evaluate(expr):
            r = browser.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True}, session)
            if "exceptionDetails" in r:
                d = r["exceptionDetails"]
                raise BrowserError(f"evaluating {expr[:80]!r}: {d.get('exception', {}).get('description') or d.get('text')}")
            return r["result"].get("value")

        def screenshot(path, full, until=None):
            height = None
            if until:  # from the top of the page to the bottom of this element
                height = evaluate(f"Math.ceil(document.querySelector({json.dumps(until)}).getBoundingClientRect().bottom + window.scrollY + 12)")
            if full or until:
                size = evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
                browser.call("Emulation.setDeviceMetricsOverride", dict(metrics, height=min(height or int(size[1]), 12000)), session)
                evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            png = browser.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
            with open(path, "wb") as f:
                f.write(base64.b64decode(png))
            if full:
                browser.call("Emulation.setDeviceMetricsOverride", metrics, session)

        evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        for a in actions:
            if "eval" in a:
                report["results"].append(evaluate(a["eval"]))
            elif "key" in a:
                k = a["key"]
                code = KEYS.get(k, ord(k.upper()) if len(k) == 1 else 0)
                down = {"type": "keyDown" if len(k) == 1 else "rawKeyDown", "key": k, "code": k if k in KEYS else f"Key{k.upper()}",
                        "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
                if len(k) == 1:
                    down["text"] = k
                browser.call("Input.dispatchKeyEvent", down, session)
                browser.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": k, "windowsVirtualKeyCode": code}, session)
            elif "wait" in a:
                time.sleep(a["wait"] / 1000)
            elif "screenshot" in a:
                screenshot(a["screenshot"], a.get("full", False), a.get("until"))
            else:
                raise BrowserError(f"unknown action {a}")
        if opts.screenshot:
            screenshot(opts.screenshot, opts.full_page)
        evaluate("1")  # flush: every event sent before this reply has arrived
        for e in browser.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                text = " ".join(str(x.get("value", x.get("description", ""))) for x in p.get("args", []))
                report["console"].append({"type": p.get("type"), "text": text})
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                report["exceptions"].append(d.get("exception", {}).get("description") or d.get("text"))
            elif m == "Log.entryAdded":
                entry = p.get("entry", {})
                report["log"].append({"level": entry.get("level"), "source": entry.get("source"), "text": entry.get("text")})
            elif m == "Network.requestWillBeSent":
                report["requests"].append(p.get("request", {}).get("url"))
        return report
    finally:
        browser.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--actions", help="JSON file with the actions ('-' for stdin)")
    ap.add_argument("--screenshot", help="PNG of the page after the actions")
    ap.add_argument("--full-page", action="store_true", help="the screenshot covers the whole page, not the window")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--timeout", type=float, default=90, help="seconds for everything (default 90)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    opts = ap.parse_args()
    actions = []
    if opts.actions:
        actions = json.load(sys.stdin if opts.actions == "-" else open(opts.actions))
    try:
        report = run(opts, actions)
    except TimeoutError as e:
        print(f"browser.py: {e} ({opts.timeout:.0f} s)", file=sys.stderr)
        return 2
    except BrowserError as e:
        print(f"browser.py: {e}", file=sys.stderr)
        return 1
    json.dump(report, sys.stdout)
    print()
    for c in report["console"]:
        if c["type"] in ("error", "assert", "warning"):
            print(f"console {c['type']}: {c['text']}", file=sys.stderr)
    for x in report["exceptions"]:
        print(f"uncaught: {x}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
