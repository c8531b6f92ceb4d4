import Foundation
import TestSupport
import Testing

/// Two clients of one socket server: a slow request of one (a batch of many submissions) does not hold up the
/// quick requests of the other. The server is the built binary (`srlens serve --socket`), a process of its own: in
/// this test process the other suites keep Swift's cooperative threads busy, which says nothing about the server.
@Suite struct IsolationTests {
    @Test(.enabled(if: CLI.isAvailable, "needs the built srlens binary (SRLENS_BIN or .build/debug/srlens)"))
    func slowRequestOfOneClientDoesNotBlockAnother() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-iso-\(UUID().uuidString)")
        let runs = folder.appendingPathComponent("runs")
        // 120 copies of the demo's reference, each a distinct submission: many seconds of scoring in a debug build,
        // a wide window even when the other suites of the test run load the machine.
        let source = try String(contentsOfFile: Demo.record(5), encoding: .utf8)
        for i in 0..<120 {
            let run = runs.appendingPathComponent(String(format: "run_%02d", i))
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try (source + "\n# run \(i)\n").write(to: run.appendingPathComponent("train_gpt2.py"), atomically: true, encoding: .utf8)
        }
        let socket = folder.appendingPathComponent("s.sock").path
        let server = Process()
        server.executableURL = CLI.binary
        server.arguments = ["serve", "--socket", socket, "--log", "error"]
        try server.run()
        defer { server.terminate() }
        let database = folder.appendingPathComponent("db.sqlite").path
        // The whole exchange runs on threads of its own, with blocking sleeps: the other suites of this test run
        // can hold Swift's cooperative threads for minutes, and an `await` here could then resume only after the
        // server's batch is over, which would say nothing about the server.
        let (quick, events) = try await onThread { () throws -> ([String], [String]) in
            for _ in 0..<1_000 where !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.01) }
            let log = EventLog()
            // Client A: the slow batch.
            let slow = Thread {
                guard let a = try? LSPSocketClient(path: socket),
                      (try? a.request(id: 1, method: "initialize", params: ["capabilities": [:], "initializationOptions": ["task": 4, "records": Demo.records, "database": database]])) != nil
                else { return log.add("a failed") }
                log.add("a started")
                let answer = try? a.request(id: 2, method: "speedrun/batchScore", params: ["directory": runs.path, "task": 4, "label": "iso"])
                log.add((answer?["result"] as? [String: Any])?["scored"] as? Int == 120 ? "a answered" : "a wrong: \(String(describing: answer))")
            }
            slow.start()
            for _ in 0..<500 where !log.events.contains("a started") { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: 0.2)
            // Client B: quick requests while A's batch runs.
            let b = try LSPSocketClient(path: socket)
            _ = try b.request(id: 1, method: "initialize", params: ["capabilities": [:]])
            var seen: [String] = []
            for i in 2...6 {
                let answer = try b.request(id: i, method: "speedrun/tasks", params: [:])
                seen.append(((answer["result"] as? [String: Any])?["tasks"] as? [Any])?.count == 20 ? "b answered" : "b wrong")
                seen.append(log.events.contains("a answered") ? "after a" : "before a")
            }
            for _ in 0..<30_000 where !log.events.contains(where: { $0.hasPrefix("a ") && $0 != "a started" }) {
                Thread.sleep(forTimeInterval: 0.01)
            }
            return (seen, log.events)
        }
        #expect(quick.filter { $0 == "b answered" }.count == 5)
        #expect(quick.filter { $0 == "before a" }.count == 5, "some quick answers came only after the batch was over: \(quick)")
        #expect(events.contains("a answered"), "\(events)")
        try? FileManager.default.removeItem(at: folder)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var events: [String] { lock.withLock { stored } }
    func add(_ event: String) { lock.withLock { stored.append(event) } }
}

/// Runs blocking socket work on a thread of its own, without holding one of Swift's cooperative threads.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
