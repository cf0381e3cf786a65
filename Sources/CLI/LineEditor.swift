import Foundation

/// Reads lines from a terminal with editing and history, without a package: the terminal is put
/// in raw mode (termios) only while a line is typed, and the keys are interpreted here.
///
/// Keys: ← → (Ctrl-B, Ctrl-F) move, Home/End (Ctrl-A, Ctrl-E), Backspace, Delete, Ctrl-K and
/// Ctrl-U cut to the end and the start, ↑ ↓ (Ctrl-P, Ctrl-N) walk the history, Enter accepts,
/// Ctrl-C drops the line, Ctrl-D on an empty line ends input. When standard input is not a
/// terminal it reads plain lines instead. Lines wider than the terminal are not redrawn well.
public final class LineEditor {
    /// Lines entered so far, oldest first (empty lines and repeats of the last one left out).
    public private(set) var history: [String] = []
    private let input = STDIN_FILENO
    private let output = STDOUT_FILENO

    public init() {}

    /// The next line without its newline, or nil at end of input (then a newline is printed so
    /// the shell's prompt starts on a line of its own).
    public func readLine(prompt: String) -> String? {
        guard isatty(input) != 0, var saved = rawMode() else {
            write(prompt)
            return Swift.readLine(strippingNewline: true)
        }
        defer { tcsetattr(input, TCSAFLUSH, &saved) }
        var line: [Character] = []
        var cursor = 0
        var browsing = history.count  // index into history; history.count = the line being typed
        var draft: [Character] = []
        var pending: [UInt8] = []      // bytes of an incomplete UTF-8 character
        func redraw() {
            let after = line[cursor...].reduce(0) { $0 + displayWidth($1) }
            write("\r" + prompt + String(line) + "\u{1B}[K" + (after > 0 ? "\u{1B}[\(after)D" : ""))
        }
        func recall(_ index: Int) {
            if browsing == history.count { draft = line }
            browsing = index
            line = index == history.count ? draft : Array(history[index])
            cursor = line.count
            redraw()
        }
        write(prompt)
        while let byte = readByte() {
            switch byte {
            case 0x0D, 0x0A:
                write("\r\n")
                let text = String(line)
                if !text.trimmingCharacters(in: .whitespaces).isEmpty && history.last != text { history.append(text) }
                return text
            case 0x04:
                if line.isEmpty { write("\r\n"); return nil }
                if cursor < line.count { line.remove(at: cursor); redraw() }
            case 0x03:
                write("^C\r\n")
                (line, cursor, browsing) = ([], 0, history.count)
                write(prompt)
            case 0x7F, 0x08:
                if cursor > 0 { cursor -= 1; line.remove(at: cursor); redraw() }
            case 0x01: cursor = 0; redraw()
            case 0x05: cursor = line.count; redraw()
            case 0x02: if cursor > 0 { cursor -= 1; redraw() }
            case 0x06: if cursor < line.count { cursor += 1; redraw() }
            case 0x0B: line.removeSubrange(cursor...); redraw()
            case 0x15: line.removeSubrange(..<cursor); cursor = 0; redraw()
            case 0x10: if browsing > 0 { recall(browsing - 1) }
            case 0x0E: if browsing < history.count { recall(browsing + 1) }
            case 0x1B:
                switch readEscape() {
                case "[A", "OA": if browsing > 0 { recall(browsing - 1) }
                case "[B", "OB": if browsing < history.count { recall(browsing + 1) }
                case "[C", "OC": if cursor < line.count { cursor += 1; redraw() }
                case "[D", "OD": if cursor > 0 { cursor -= 1; redraw() }
                case "[H", "OH", "[1~", "[7~": cursor = 0; redraw()
                case "[F", "OF", "[4~", "[8~": cursor = line.count; redraw()
                case "[3~": if cursor < line.count { line.remove(at: cursor); redraw() }
                default: break  // an unknown key is ignored rather than typed as "^[[…"
                }
            case 0x00..<0x20:
                break
            default:
                pending.append(byte)
                if let s = String(validating: pending, as: UTF8.self) {
                    pending = []
                    let atEnd = cursor == line.count
                    for c in s { line.insert(c, at: cursor); cursor += 1 }
                    // A combining mark joins the previous character: count again.
                    let joined = Array(String(line))
                    if atEnd && joined.count == line.count {
                        write(s)  // typing at the end: the terminal only needs the character
                    } else {
                        line = joined
                        cursor = min(cursor, line.count)
                        redraw()
                    }
                } else if pending.count >= 4 {
                    pending = []
                }
            }
        }
        write("\r\n")
        return nil
    }

    /// Switches the terminal to raw input (no echo, no line buffering, keys as bytes; output
    /// processing kept so "\n" still starts a new line) and returns the settings to restore.
    private func rawMode() -> termios? {
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(ICRNL | IXON | BRKINT | INPCK | ISTRIP)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else { return nil }
        return saved
    }

    private func readByte() -> UInt8? {
        var b: UInt8 = 0
        while true {
            let n = read(input, &b, 1)
            if n == 1 { return b }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// The rest of an escape sequence after ESC: "[A", "OH", "[3~", …
    private func readEscape() -> String {
        guard let first = readByte() else { return "" }
        var s = String(UnicodeScalar(first))
        guard first == UInt8(ascii: "[") || first == UInt8(ascii: "O") else { return s }
        while let b = readByte() {
            s.append(Character(UnicodeScalar(b)))
            // A CSI sequence ends with a byte in 0x40...0x7E.
            if (0x40...0x7E).contains(b) { break }
            if s.count > 8 { break }
        }
        return s
    }

    private func write(_ s: String) {
        let bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBufferPointer { Foundation.write(output, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// Columns a character takes on a terminal: 2 for wide East Asian characters and most emoji,
/// 1 otherwise (combining marks belong to their character).
func displayWidth(_ c: Character) -> Int {
    guard let v = c.unicodeScalars.first?.value else { return 1 }
    let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                       0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                       0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
    return wide.contains { $0.contains(v) } ? 2 : 1
}
