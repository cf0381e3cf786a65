import Foundation

/// Streams a file line by line in fixed-size chunks, so memory stays bounded by the chunk size
/// plus the longest line we are willing to keep, however long the lines in the file are.
///
/// Lines are split on `\n`; a trailing `\r` (CRLF files) and a leading UTF-8 BOM on the first
/// line are removed. Lines longer than `maxLineBytes` are reported as `.tooLong` without being
/// buffered: the reader discards bytes until the next newline.
struct LineReader {
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
        self.path = path
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
