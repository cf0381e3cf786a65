import Foundation
import XCTest

/// Runs `scripts/browser.py` (headless Chromium over the DevTools protocol) on a local page and
/// returns what it saw. The tests skip, naming what to install, when Chromium or python3 is
/// missing; CI installs both (.ci/run).
enum Browser {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// What the page did while it was driven.
    struct Report {
        /// The value of each {"eval": …} action, in order.
        var results: [Any]
        var console: [[String: Any]]
        var exceptions: [String]
        var log: [[String: Any]]
        var requests: [String]
    }

    static func findExecutable(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            if name.hasPrefix("/") { if FileManager.default.isExecutableFile(atPath: name) { return name } else { continue } }
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// Chromium and python3, or an XCTSkip saying how to install them.
    static func tools() throws -> (chromium: String, python: String) {
        let env = ProcessInfo.processInfo.environment["CHROMIUM"].map { [$0] } ?? []
        guard let chromium = findExecutable(env + ["chromium", "chromium-browser", "/usr/bin/chromium"]) else {
            throw XCTSkip("Chromium is missing: install it (Debian: apt-get install -y chromium) or set CHROMIUM=/path/to/chromium")
        }
        guard let python = findExecutable(["python3"]) else {
            throw XCTSkip("python3 is missing: install Python 3 (Debian: apt-get install -y python3)")
        }
        return (chromium, python)
    }

    /// Loads `page` (a file) in headless Chromium, runs `actions`, and returns the report;
    /// throws when the driver fails or times out.
    static func run(_ page: URL, actions: [[String: Any]], in dir: URL, screenshot: URL? = nil) throws -> Report {
        let (chromium, python) = try tools()
        let actionsURL = dir.appendingPathComponent("actions-\(UUID().uuidString.prefix(6)).json")
        try JSONSerialization.data(withJSONObject: actions).write(to: actionsURL)
        var args = [CLI.packageRoot.appendingPathComponent("scripts/browser.py").path, "--url", page.absoluteURL.absoluteString,
                    "--actions", actionsURL.path, "--chromium", chromium, "--timeout", "120"]
        if let screenshot { args += ["--screenshot", screenshot.path] }
        let r = try CLI.Child(URL(fileURLWithPath: python), args, in: dir).wait(timeout: 180)
        guard r.status == 0, !r.signaled,
              let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw Failure(description: "the browser driver failed: \(r)")
        }
        return Report(results: object["results"] as? [Any] ?? [], console: object["console"] as? [[String: Any]] ?? [],
                      exceptions: object["exceptions"] as? [String] ?? [], log: object["log"] as? [[String: Any]] ?? [],
                      requests: object["requests"] as? [String] ?? [])
    }

    /// No console error or warning, no uncaught exception, no browser log entry (a blocked
    /// request or a CSP violation shows up there), and no request but the page itself.
    static func assertClean(_ r: Report, page: URL, file: StaticString = #filePath, line: UInt = #line) {
        let bad = r.console.filter { ["error", "warning", "assert"].contains($0["type"] as? String ?? "") }
        XCTAssertTrue(bad.isEmpty, "console messages: \(bad)", file: file, line: line)
        XCTAssertEqual(r.exceptions, [], "uncaught exceptions", file: file, line: line)
        XCTAssertTrue(r.log.isEmpty, "browser log entries: \(r.log)", file: file, line: line)
        XCTAssertEqual(r.requests, [page.absoluteURL.absoluteString], "the page asked for something besides itself", file: file, line: line)
    }
}
