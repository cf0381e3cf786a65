import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A snapshot of machine-wide and own CPU time, to tell how busy *other* processes were
/// while we measured (other builds on a shared 2-core box skew GEMM figures a lot).
struct CPUSample {
    /// Busy ticks of all CPUs (user+nice+system+irq+softirq+steal) from /proc/stat.
    var machineBusy: Double
    /// Our own utime+stime ticks from /proc/self/stat, plus those of the children we waited for
    /// (cutime+cstime: the `translate` processes the start-up bench times are ours, not load).
    var ownBusy: Double
    /// Wall clock, seconds.
    var wall: Double

    static func now() -> CPUSample {
        CPUSample(machineBusy: readMachineBusy() ?? .nan, ownBusy: readOwnBusy() ?? .nan,
                  wall: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    }

    /// CPU-seconds used by other processes per wall second since `earlier` (0 = quiet,
    /// 2 = both cores busy elsewhere); NaN where /proc is unavailable. Tick resolution is
    /// 10 ms, so short windows are coarse.
    func otherLoad(since earlier: CPUSample) -> Double {
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let dt = wall - earlier.wall
        guard dt > 0, hz > 0 else { return .nan }
        let other = (machineBusy - earlier.machineBusy) - (ownBusy - earlier.ownBusy)
        return max(0, other / hz / dt)
    }

    /// Cores this process kept busy since `earlier`: its own CPU-seconds per wall second
    /// (2 = both cores of a 2-core machine all the time); NaN where /proc is unavailable.
    func ownCores(since earlier: CPUSample) -> Double {
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let dt = wall - earlier.wall
        guard dt > 0, hz > 0 else { return .nan }
        return (ownBusy - earlier.ownBusy) / hz / dt
    }

    private static func readMachineBusy() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal: skip idle (3) and iowait (4).
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    }

    private static func readOwnBusy() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17
        // -> offsets 11...14.
        let f = text[text.index(after: close)...].split(separator: " ")
        guard f.count > 14, let u = Double(f[11]), let s = Double(f[12]), let cu = Double(f[13]), let cs = Double(f[14]) else { return nil }
        return u + s + cu + cs
    }
}
