#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Runs the built executables (`train`, `translate`, `inspect`) as child processes and captures
/// what they print and how they exit, so tests check exactly what a user would see.
///
/// The binaries are looked up in `$TINY_TRANSLATOR_BIN` if set, else `.build/release` under the
/// package root (`make test` builds them there first); tests skip when they are missing.
enum CLI {
    /// The package root, found from this file's path (Tests/CLITests/Harness.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["TINY_TRANSLATOR_BIN"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, relativeTo: packageRoot)
        }
        return packageRoot.appendingPathComponent(".build/release")
    }

    /// The executable `name`, or an XCTSkip telling how to build it.
    static func binary(_ name: String) throws -> URL {
        let url = binDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("\(url.path) is missing: run `make test` (or `swift build -c release`) first")
        }
        return url
    }

    /// What a finished process printed and how it ended.
    struct Result: CustomStringConvertible {
        var status: Int32
        /// True when the process was ended by a signal (then `status` is the signal number).
        var signaled: Bool
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
        var description: String { "exit \(signaled ? "signal " : "")\(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// A started child process whose output goes to files in `directory`.
    final class Child {
        let process = Process()
        let outURL: URL
        let errURL: URL

        init(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
             stdin: String? = nil, tag: String = UUID().uuidString) throws {
            outURL = directory.appendingPathComponent(".\(tag).stdout")
            errURL = directory.appendingPathComponent(".\(tag).stderr")
            FileManager.default.createFile(atPath: outURL.path, contents: nil)
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            if let stdin {
                let pipe = Pipe()
                process.standardInput = pipe
                try process.run()
                pipe.fileHandleForWriting.write(Data(stdin.utf8))
                try pipe.fileHandleForWriting.close()
            } else {
                process.standardInput = FileHandle.nullDevice
                try process.run()
            }
        }

        var pid: Int32 { process.processIdentifier }
        var stdoutSoFar: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }

        func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Waits for the process (killing it after `timeout` seconds so a hang fails, not stalls).
        func wait(timeout: TimeInterval = 60) -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let signaled = process.terminationReason == .uncaughtSignal
            return Result(status: process.terminationStatus, signaled: signaled,
                          stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        }

        /// Polls until `condition` holds or `timeout` passes; returns whether it held.
        func waitUntil(timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition() { return true }
                if !process.isRunning { return condition() }
                usleep(2_000)
            }
            return false
        }
    }

    /// Runs `name args` in `directory` to completion.
    static func run(_ name: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    stdin: String? = nil, timeout: TimeInterval = 60) throws -> Result {
        try Child(try binary(name), arguments, in: directory, environment: environment, stdin: stdin).wait(timeout: timeout)
    }

    /// Runs `name args` through `bash -c 'ulimit -f BLOCKS; exec …'`: a file-size limit stands in
    /// for a full disk (we run as root, so permissions cannot make a folder unwritable).
    static func runWithFileSizeLimit(kilobytes: Int, _ name: String, _ arguments: [String], in directory: URL) throws -> Result {
        let exe = try binary(name)
        let quoted = ([exe.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try Child(URL(fileURLWithPath: "/bin/bash"), ["-c", "ulimit -f \(kilobytes); exec \(quoted)"], in: directory).wait()
    }
}

/// Temporary folders and file snapshots for the tests.
enum Scratch {
    /// A fresh empty folder, removed when the test case ends.
    static func directory(_ test: XCTestCase, _ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clitests-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Every regular file in `dir` with its bytes, to prove nothing was lost or changed by a
    /// failed command. Skips hidden scratch output and `train.lock`, which only holds the PID of
    /// the last process that took the lock.
    static func snapshot(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where !name.hasPrefix(".") && name != "train.lock" {
            let u = dir.appendingPathComponent(name)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), !isDir.boolValue,
               let d = FileManager.default.contents(atPath: u.path) {
                out[name] = d
            }
        }
        return out
    }

    static func write(_ text: String, to dir: URL, _ name: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: u)
        return u.path
    }

    static func write(_ bytes: [UInt8], to dir: URL, _ name: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try Data(bytes).write(to: u)
        return u.path
    }
}

/// Asserts a failed command: its exit status, and that its message says `fragments` (each
/// case-insensitively) on one line, plus anything passed in `alsoOneOf`.
func assertFails(_ r: CLI.Result, status: Int32, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.signaled, "crashed: \(r)", file: file, line: line)
    XCTAssertEqual(r.status, status, "\(r)", file: file, line: line)
    let text = r.stderr.lowercased()
    for f in fragments {
        XCTAssertTrue(text.contains(f.lowercased()), "stderr lacks '\(f)': \(r)", file: file, line: line)
    }
}
