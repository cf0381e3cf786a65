#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Turns SIGINT (Ctrl-C) and SIGTERM into a polite request: the trainer finishes the current
/// step, saves a checkpoint and exits. A second signal kills the process at once (the
/// checkpoint writes are atomic, so even that loses nothing already saved).
public enum StopSignal {
    // Written by the signal handler, read by the training loop between steps; a plain
    // sig_atomic_t-sized global is what C allows a handler to touch.
    nonisolated(unsafe) private static var received: Int32 = 0

    /// The signal that asked us to stop (SIGINT = 2, SIGTERM = 15), or 0.
    public static var requested: Int32 { received }

    /// Installs the handlers for SIGINT and SIGTERM.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in
            StopSignal.received = sig
            signal(sig, SIG_DFL)  // a second Ctrl-C terminates immediately
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
