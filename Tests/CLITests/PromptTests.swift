import Foundation
import XCTest

/// The interactive prompt of `translate`, driven through a pseudo-terminal (python3's `pty`
/// module) as a person at a terminal would: commands, an error for an unknown one, line editing
/// with the arrow, Home and Backspace keys, history, and a clean exit on Ctrl-D and `:quit`.
final class PromptTests: XCTestCase {
    /// Starts `translate` on a pseudo-terminal, types `keys` (waiting for the next prompt after
    /// each Enter) and returns what the terminal showed and the exit status.
    private func session(_ keys: [String]) throws -> (screen: String, status: Int) {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("python3 is missing: install python3 (it drives the pseudo-terminal)")
        }
        let dir = try Scratch.directory(self)
        let script = try Scratch.write(Self.driver, to: dir, "drive.py")
        let keysFile = try Scratch.write(String(decoding: try JSONSerialization.data(withJSONObject: keys), as: UTF8.self), to: dir, "keys.json")
        let exe = try CLI.binary("translate")
        let r = try CLI.Child(URL(fileURLWithPath: python), [script, exe.path, try Fixture.trainedRun().path, keysFile], in: dir).wait(timeout: 120)
        XCTAssertEqual(r.status, 0, "the driver failed: \(r)")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
        return (result["screen"] as? String ?? "", result["status"] as? Int ?? -1)
    }

    /// Python: fork translate on a pty, type each key string; after one ending in Enter wait
    /// until the screen ends with the prompt again; finally wait for the exit.
    private static let driver = #"""
        import json, os, pty, select, sys, time
        exe, checkpoint, keys = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["COLUMNS"] = "80"
            os.execv(exe, [exe, "--checkpoint", checkpoint, "--threads", "1", "--quiet"])
        screen = b""
        def pump(until, timeout=60):
            global screen
            end = time.time() + timeout
            while time.time() < end:
                if until(screen):
                    return True
                r, _, _ = select.select([fd], [], [], 0.05)
                if r:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        return until(screen)
                    if not data:
                        return until(screen)
                    screen += data
            return until(screen)
        pump(lambda s: s.endswith(b"> "))
        for k in keys:
            before = len(screen)
            os.write(fd, k.encode())
            if k.endswith("\r"):
                pump(lambda s: len(s) > before and s.endswith(b"> "))
            else:
                time.sleep(0.2)
                pump(lambda s: False, timeout=0.3)
        pump(lambda s: False, timeout=1)
        _, status = os.waitpid(pid, 0)
        try:
            while True:
                r, _, _ = select.select([fd], [], [], 0.1)
                if not r: break
                data = os.read(fd, 4096)
                if not data: break
                screen += data
        except OSError:
            pass
        print(json.dumps({"screen": screen.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status)}))
        """#

    func testCommandsEditingHistoryAndEndOfInput() throws {
        let left = "\u{1B}[D", up = "\u{1B}[A", home = "\u{1B}[H", backspace = "\u{7F}"
        let (screen, status) = try session([
            ":help\r",
            ":frobnicate\r",
            // "caXt": one step left, Backspace removes the X.
            ":pieces the red caXt", left, backspace, "\r",
            // Up brings the last line back; Enter runs it again.
            up, "\r",
            // Home, then the command typed in front of what was there.
            "red cat", home, ":pieces the ", "\r",
            "the red cat\r",
            "\u{04}",
        ])
        XCTAssertEqual(status, 0, screen)
        XCTAssertTrue(screen.contains(":explain SENTENCE") && screen.contains(":quit"), ":help lists the commands: \(screen)")
        XCTAssertTrue(screen.contains("unknown command ':frobnicate'"), screen)
        let pieces = screen.components(separatedBy: "\u{2581}the \u{2581}red \u{2581}cat\r\n").count - 1
        XCTAssertEqual(pieces, 3, "edited, recalled and Home-edited lines each give the pieces: \(screen)")
        XCTAssertFalse(screen.contains("^[["), "a key was typed as text: \(screen)")
        XCTAssertFalse(screen.contains("\u{2581} <unk>"), "the X was not deleted: \(screen)")
        XCTAssertTrue(screen.hasSuffix("\r\n"), "Ctrl-D ends with a newline, so the shell prompt starts on its own line: \(screen.suffix(20).debugDescription)")
    }

    func testQuitLeavesAtOnce() throws {
        let (screen, status) = try session([":quit\r"])
        XCTAssertEqual(status, 0, screen)
        XCTAssertFalse(screen.contains("unknown command"), screen)
    }
}
