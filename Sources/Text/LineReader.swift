import Foundation

/// Streams a file line by line in fixed-size chunks, so memory stays bounded by the chunk size
/// plus the longest line we are willing to keep, however long the lines in the file are.
///
/// Lines are split on `\n`; a trailing `\r` (CRLF files) and a leading UTF-8 BOM on the first
/// line are removed. Lines longer than `maxLineBytes` are reported as `.tooLong` without being
/// buffered: the reader discards bytes until the next newline. Reads pipes too (`/dev/fd/63`
/// from `--input <(cut -f1 file.tsv)`, standard input).
///
/// The corpus readers stream through it; `lines(ofFile:)` and `standardInputLines()` give tools
/// that take one sentence per line (`translate`) the same handling in one call.
public struct LineReader {
    enum Line {
        /// The line's bytes, valid only inside the `next` callback.
        case text(UnsafeBufferPointer<UInt8>)
        /// The line exceeded `maxLineBytes` and was dropped.
        case tooLong
    }

    let path: String
    private let handle: FileHandle
    private let maxLineBytes: Int
    private let chunkSize: Int
    private var buffer: [UInt8]
    private var lo = 0
    private var hi = 0
    private var eof = false
    private var discarding = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// Total bytes read from the file so far.
    private(set) var bytesRead = 0

    init(path: String, maxLineBytes: Int, chunkSize: Int = 1 << 20) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TextError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            throw TextError.unreadable(path: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TextError.unreadable(path: path, reason: "permission denied or not a regular file")
        }
        self.init(handle: handle, name: path, maxLineBytes: maxLineBytes, chunkSize: chunkSize)
    }

    /// Reads an open handle (e.g. standard input); `name` stands for the file in messages.
    init(handle: FileHandle, name: String, maxLineBytes: Int, chunkSize: Int = 1 << 20) {
        self.path = name
        self.handle = handle
        self.maxLineBytes = max(1, maxLineBytes)
        self.chunkSize = max(4096, chunkSize)
        self.buffer = [UInt8](repeating: 0, count: self.chunkSize + self.maxLineBytes + 1)
    }

    /// Reads the next line and passes it and its 1-based number to `body`; returns nil at end of file.
    mutating func next<R>(_ body: (Line, Int) throws -> R) throws -> R? {
        while true {
            if let nl = findNewline() {
                let start = lo
                lo = nl + 1
                lineNumber += 1
                if discarding {
                    discarding = false
                    return try body(.tooLong, lineNumber)
                }
                return try emit(start, nl, body)
            }
            if eof {
                guard lo < hi || discarding else { return nil }
                let start = lo
                lo = hi
                lineNumber += 1
                if discarding {
                    discarding = false
                    return try body(.tooLong, lineNumber)
                }
                return try emit(start, hi, body)
            }
            if hi - lo > maxLineBytes {
                // The pending line is already too long: drop its bytes and remember to skip
                // the rest up to the next newline.
                discarding = true
                lo = hi
            }
            try refill()
        }
    }

    private func findNewline() -> Int? {
        guard lo < hi else { return nil }
        return buffer.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, let hit = memchr(base + lo, 0x0A, hi - lo) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func emit<R>(_ start: Int, _ end: Int, _ body: (Line, Int) throws -> R) throws -> R {
        var s = start
        var e = end
        if e > s && buffer[e - 1] == 0x0D { e -= 1 }
        if lineNumber == 1 && e - s >= 3 && buffer[s] == 0xEF && buffer[s + 1] == 0xBB && buffer[s + 2] == 0xBF {
            s += 3
        }
        if e - s > maxLineBytes { return try body(.tooLong, lineNumber) }
        return try buffer.withUnsafeBufferPointer { p in
            try body(.text(UnsafeBufferPointer(rebasing: p[s..<e])), lineNumber)
        }
    }

    /// Moves the unread tail to the front of the buffer and appends the next chunk.
    private mutating func refill() throws {
        if lo > 0 {
            let n = hi - lo
            if n > 0 {
                let from = lo
                buffer.withUnsafeMutableBufferPointer { p in
                    guard let base = p.baseAddress else { return }
                    memmove(base, base + from, n)
                }
            }
            lo = 0
            hi = n
        }
        let want = min(chunkSize, buffer.count - hi)
        let data: Data
        do {
            data = try handle.read(upToCount: want) ?? Data()
        } catch {
            throw TextError.unreadable(path: path, reason: "\(error)")
        }
        if data.isEmpty {
            eof = true
            return
        }
        let at = hi
        data.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { p in
                guard let dst = p.baseAddress, let src = raw.baseAddress else { return }
                memcpy(dst + at, src, raw.count)
            }
        }
        hi += data.count
        bytesRead += data.count
    }

    func close() {
        try? handle.close()
    }
}

extension LineReader {
    /// Longest line `lines(ofFile:)` accepts: far beyond any sentence, small enough to buffer.
    public static let longestTextLine = 1 << 22

    /// Every line of the file (or pipe) at `path` as text: a BOM dropped, LF or CRLF line ends,
    /// no line after a final line end. Throws `TextError` naming the file (and the line, for
    /// invalid UTF-8 or a line longer than `longestTextLine` bytes).
    public static func lines(ofFile path: String) throws -> [String] {
        var reader = try LineReader(path: path, maxLineBytes: longestTextLine)
        defer { reader.close() }
        return try reader.remainingLines()
    }

    /// Every line of standard input, as `lines(ofFile:)` reads a file ("<stdin>" in messages).
    public static func standardInputLines() throws -> [String] {
        var reader = LineReader(handle: .standardInput, name: "<stdin>", maxLineBytes: longestTextLine)
        return try reader.remainingLines()
    }

    private mutating func remainingLines() throws -> [String] {
        var lines: [String] = []
        let name = path
        while let line = try next({ line, number -> String in
            guard case .text(let bytes) = line else { throw TextError.lineTooLong(path: name, line: number, limit: Self.longestTextLine) }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw TextError.invalidUTF8(path: name, line: number) }
            return text
        }) {
            lines.append(line)
        }
        return lines
    }
}
