import CLI
import Foundation
import XCTest

/// `--config FILE.json` then the command line, and switches that can be turned off: `train`'s
/// defaults switch some settings on, so "off" must be tellable from "not given".
final class FlagParserTests: XCTestCase {
    private let parser = FlagParser(command: "t", usage: "t [flags]", flags: [
        Flag("config", "FILE", "settings file"),
        Flag("lr", "RATE", "a value"),
        Flag("tie", nil, "a switch"),
        Flag("quiet", nil, "another switch"),
    ])

    private func config(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flagparser-\(getpid())-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testSwitchStatesFromTheCommandLine() throws {
        let f = try parser.parse(["--tie", "--no-quiet"])
        XCTAssertEqual(f.switchState("tie"), true)
        XCTAssertEqual(f.switchState("quiet"), false)
        XCTAssertTrue(f.has("tie"))
        XCTAssertFalse(f.has("quiet"), "a switch turned off is not 'given'")
        XCTAssertNil(try parser.parse([]).switchState("tie"))
        XCTAssertEqual(try parser.parse(["--no-tie", "--tie"]).switchState("tie"), true, "the last word wins")
        XCTAssertEqual(try parser.parse(["--tie", "--no-tie"]).switchState("tie"), false, "the last word wins")
    }

    func testConfigFileFalseTurnsASwitchOffAndTheCommandLineOverridesTheFile() throws {
        let path = try config(#"{"tie": false, "quiet": true, "lr": 0.003}"#)
        let fromFile = try parser.parse(["--config", path])
        XCTAssertEqual(fromFile.switchState("tie"), false)
        XCTAssertEqual(fromFile.switchState("quiet"), true)
        XCTAssertEqual(try fromFile.double("lr"), 0.003)

        let overridden = try parser.parse(["--config", path, "--tie", "--no-quiet", "--lr", "0.001"])
        XCTAssertEqual(overridden.switchState("tie"), true)
        XCTAssertEqual(overridden.switchState("quiet"), false)
        XCTAssertEqual(try overridden.double("lr"), 0.001)

        // Which flags the command line itself gave, for tools whose flags overlap.
        XCTAssertFalse(fromFile.onCommandLine("lr"), "from the file only")
        XCTAssertTrue(fromFile.has("lr"))
        XCTAssertTrue(overridden.onCommandLine("lr"))
        XCTAssertTrue(overridden.onCommandLine("tie"))
        XCTAssertFalse(try parser.parse(["--config", path, "--no-tie"]).onCommandLine("quiet"))
        XCTAssertFalse(try parser.parse(["--config", path]).onCommandLine("tie"), "a switch the file turned off was not given")
    }

    func testNoPrefixOnlyNegatesSwitches() throws {
        XCTAssertThrowsError(try parser.parse(["--no-lr"])) { XCTAssertTrue("\($0)".contains("unknown flag --no-lr"), "\($0)") }
        XCTAssertThrowsError(try parser.parse(["--tie=yes"])) { XCTAssertTrue("\($0)".contains("switch"), "\($0)") }
    }
}
