#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a child process did: its wall time, how it ended, its peak resident memory and output.
struct ChildRun {
    /// Start to exit, seconds.
    var seconds: Double
    /// Exited with code 0 (no signal).
    var succeeded: Bool
    /// The child's peak resident set (VmHWM of /proc/PID/status, sampled every 2 ms), MiB, when
    /// asked for. Not wait4's ru_maxrss: posix_spawn starts the child in the parent's memory
    /// (vfork), and Linux carries that memory's high-water mark into the child's, so ru_maxrss
    /// reports the bench process's own size (627 MiB against `translate`'s 78 MiB).
    var peakResidentMiB: Double?
    /// Its standard output and error.
    var stdout: String, stderr: String
}

/// Runs `executable` with `arguments` and waits for it, as a shell does: spawned with
/// `posix_spawn`, reaped with `wait4` (which also gives the child's peak memory). Foundation's
/// `Process.waitUntilExit` polls its run loop every 50 ms, which added 0-50 ms to most timed
/// runs. Output goes to files in `folder`, so a chatty child never blocks on a full pipe.
/// Throws when the executable cannot be started (e.g. not installed).
func spawnAndWait(_ executable: String, _ arguments: [String], folder: URL, samplePeakMemory: Bool = false) throws -> ChildRun {
    let outURL = folder.appendingPathComponent("stdout-\(getpid()).txt"), errURL = folder.appendingPathComponent("stderr-\(getpid()).txt")
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    // posix_spawnp: a bare name like "python3" is looked up in PATH.
    let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchError("could not start \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    var peakKiB: Double?
    if samplePeakMemory {
        while true {
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid || (done == -1 && errno != EINTR) { break }
            if let hwm = residentHighWaterKiB(pid) { peakKiB = max(peakKiB ?? 0, hwm) }
            usleep(2000)
        }
    } else {
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let read = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
    // Exited normally with code 0: the low 7 bits (terminating signal) and the exit code are 0.
    return ChildRun(seconds: seconds, succeeded: status == 0, peakResidentMiB: peakKiB.map { $0 / 1024 },
                    stdout: read(outURL), stderr: read(errURL))
}

/// The folder of the running executable (`translate` is built next to `bench`).
func executableDirectory() -> URL {
    let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: path).deletingLastPathComponent()
}

/// VmHWM (peak resident set, KiB) of a running process, from /proc; nil once it has exited.
private func residentHighWaterKiB(_ pid: pid_t) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
}
