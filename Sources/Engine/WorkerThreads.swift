import Foundation

/// Runs `body` for every index in `0..<count` on `width` threads of its own, and returns when all are done.
///
/// Not `DispatchQueue.concurrentPerform`: on Linux Swift's cooperative executor runs on Dispatch's global pool, so a
/// batch that fills Dispatch's threads with long work would hold up every async task in the process (a language
/// server answering other clients). Threads of its own leave both pools free and let the system scheduler share
/// the cores.
public enum WorkerThreads {
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

    /// Runs `first` on the calling thread and `second` on a thread of its own, and returns `second`'s result when
    /// both are done: two independent halves of one answer someone waits for (an editor's diagnostics, one
    /// `srlens score`).
    public static func both<T>(_ first: () -> Void, _ second: @escaping () -> T) -> T {
        let result = SecondResult<T>()
        let work = UncheckedBody { _ in result.value = second() }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            work.body(1)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        first()
        done.wait()
        return result.value!
    }
}

/// What the second thread of `both` computes, read by the caller once the semaphore says it is there.
private final class SecondResult<T>: @unchecked Sendable {
    var value: T?
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
