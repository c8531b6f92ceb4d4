import Foundation

/// Runs `body` for every index in `0..<count` on `width` threads of its own, and returns when all are done.
///
/// Not `DispatchQueue.concurrentPerform`: on Linux Swift's cooperative executor runs on Dispatch's global pool, so a
/// batch that fills Dispatch's threads with long work would hold up every async task in the process (a language
/// server answering other clients). Threads of its own leave both pools free and let the system scheduler share
/// the cores.
enum WorkerThreads {
    static func run(count: Int, width: Int = ProcessInfo.processInfo.activeProcessorCount, _ body: @escaping (Int) -> Void) {
        guard count > 0 else { return }
        let work = UncheckedBody(body)
        let next = IndexCounter()
        let done = DispatchGroup()
        for _ in 0..<max(1, min(width, count)) {
            done.enter()
            let thread = Thread {
                while let index = next.take(below: count) { work.body(index) }
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
    }
}

/// The body, shared with the worker threads as `DispatchQueue.concurrentPerform` shares its own: the caller's
/// closure synchronizes what it touches (the batch keeps its results behind a mutex).
private struct UncheckedBody: @unchecked Sendable {
    let body: (Int) -> Void
    init(_ body: @escaping (Int) -> Void) { self.body = body }
}

/// The next index to work on, handed out once each.
private final class IndexCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}
