import Benchmark
import Foundation
import JSONRPC
import LanguageServer
import TestSupport

/// Repository root, from this file's path (Benchmarks/ServerBenchmarks/ServerBenchmarks.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let demoRecords = repositoryRoot.appendingPathComponent("examples/demo/records").path

/// Starts the server on a Unix socket in this process.
func startServer(at path: String) async throws -> SocketTransport {
    let transport = try await SocketTransport.bind(.unixDomainSocket(path: path), logger: .disabled)
    Task.detached {
        try await transport.serve {
            let connection = Connection(configuration: .init(logger: .disabled))
            SpeedrunServer(onExit: { _ in }).attach(to: connection)
            return connection
        }
    }
    return transport
}

/// A script of about `lines` lines: the demo's reference record repeated with renamed definitions.
func longScript(lines: Int) throws -> String {
    let record = try String(contentsOfFile: "\(demoRecords)/record_5/train_gpt2.py", encoding: .utf8)
    var text = record
    var copy = 0
    while text.split(separator: "\n", omittingEmptySubsequences: false).count < lines {
        copy += 1
        text += "\n\n" + record.replacingOccurrences(of: "class ", with: "class C\(copy)_").replacingOccurrences(of: "def ", with: "def f\(copy)_")
    }
    return text
}

let latencyMetric = BenchmarkMetric.custom("classify round trip (µs)", polarity: .prefersSmaller, useScalingFactor: false)
let changeMetric = BenchmarkMetric.custom("didChange to diagnostics (µs)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(300), maxIterations: 1)

    // 32 socket clients, each classifying its own file 1,000 times, all at once. Every answer is checked to be
    // the one asked for (id and file); per-request latency is recorded as a custom metric.
    Benchmark("server: 32 socket clients x 1,000 speedrun/classify",
              configuration: .init(metrics: [.wallClock, latencyMetric], timeUnits: .milliseconds)) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let socket = folder.appendingPathComponent("srlens.sock").path
        let transport = try await startServer(at: socket)
        let source = try String(contentsOfFile: "\(demoRecords)/record_5/train_gpt2.py", encoding: .utf8)
        var files: [String] = []
        for client in 0..<32 {
            let path = folder.appendingPathComponent("client\(client).py").path
            try (source + "\n# client \(client)\n").write(toFile: path, atomically: true, encoding: .utf8)
            files.append(URL(fileURLWithPath: path).absoluteString)
        }
        let latencies = LatencyLog()
        let failures = LatencyLog()
        let uris = files
        let done = DispatchGroup()
        benchmark.startMeasurement()
        // One thread per client, so all 32 are connected and waiting at once.
        for client in 0..<32 {
            done.enter()
            Thread {
                defer { done.leave() }
                let files = uris
                do {
                    let connection = try LSPSocketClient(path: socket)
                    _ = try connection.request(id: 0, method: "initialize", params: ["capabilities": [:], "initializationOptions": ["task": 4, "records": demoRecords]])
                    try connection.send(["jsonrpc": "2.0", "method": "initialized", "params": [:]])
                    for i in 1...1_000 {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let response = try connection.request(id: i, method: "speedrun/classify", params: ["uri": files[client]])
                        let elapsed = DispatchTime.now().uptimeNanoseconds - start
                        let result = response["result"] as? [String: Any]
                        if response["id"] as? Int != i || result?["uri"] as? String != files[client] || (result?["innovations"] as? [Any])?.isEmpty != false {
                            failures.add(1)
                        }
                        latencies.add(Int(elapsed / 1_000))
                    }
                } catch {
                    failures.add(1)
                }
            }.start()
        }
        // Waiting must not block a thread of Swift's cooperative pool: the server's handlers run there.
        await withCheckedContinuation { continuation in done.notify(queue: .global()) { continuation.resume() } }
        benchmark.stopMeasurement()
        for latency in latencies.values { benchmark.measurement(latencyMetric, latency) }
        let sorted = latencies.values.sorted()
        print("load: \(sorted.count) answers, \(failures.values.count) lost or mixed up; latency p50 \(sorted[sorted.count / 2]) µs, "
              + "p99 \(sorted[sorted.count * 99 / 100]) µs")
        await transport.close()
    }

    // didChange of one line in a 2,000-line script to the diagnostics of the new version, two kinds of edit:
    // line 11 (blank in the demo record) becomes a comment naming the version, which changes no code (the
    // previous analysis carries over, its ranges moved); or a statement setting a new module-level name, which
    // changes code (the task's key changes and the rules are checked anew). Every version's text is new, so
    // nothing comes from the server's content cache.
    Benchmark("server: didChange of one line in a 2,000-line script to diagnostics published",
              configuration: .init(metrics: [changeMetric], maxDuration: .seconds(300), maxIterations: 1)) { benchmark in
        try await measureChanges(benchmark, label: "comment edit") { "# edit \($0)\n" }
    }
    Benchmark("server: didChange of one code line in a 2,000-line script to diagnostics published",
              configuration: .init(metrics: [changeMetric], maxDuration: .seconds(300), maxIterations: 1)) { benchmark in
        try await measureChanges(benchmark, label: "code edit") { "edit_marker = \($0)\n" }
    }
}

/// Opens a 2,000-line script in a server over a socket, then replaces its line 11 with `line(version)` 60 times,
/// timing each didChange until the diagnostics of that version arrive.
func measureChanges(_ benchmark: Benchmark, label: String, line: @escaping @Sendable (Int) -> String) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-change-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let socket = folder.appendingPathComponent("srlens.sock").path
    let transport = try await startServer(at: socket)
    let text = try longScript(lines: 2_000)
    let uri = URL(fileURLWithPath: folder.appendingPathComponent("train_gpt2.py").path).absoluteString
    let iterations = 60
    let durations = try await onThread { () throws -> [UInt64] in
        let connection = try LSPSocketClient(path: socket)
        _ = try connection.request(id: 0, method: "initialize", params: ["capabilities": [:], "initializationOptions": ["task": 4, "records": demoRecords]])
        try connection.send(["jsonrpc": "2.0", "method": "initialized", "params": [:]])
        try connection.send(["jsonrpc": "2.0", "method": "textDocument/didOpen",
                             "params": ["textDocument": ["uri": uri, "languageId": "python", "version": 1, "text": text]]])
        func waitForDiagnostics(version: Int) throws {
            while true {
                let message = try connection.receive()
                let params = message["params"] as? [String: Any]
                if message["method"] as? String == "textDocument/publishDiagnostics", params?["version"] as? Int == version { return }
            }
        }
        try waitForDiagnostics(version: 1)
        var durations: [UInt64] = []
        for version in 2...(iterations + 1) {
            let edit: [String: Any] = ["range": ["start": ["line": 10, "character": 0], "end": ["line": 11, "character": 0]],
                                       "text": line(version)]
            let start = DispatchTime.now().uptimeNanoseconds
            try connection.send(["jsonrpc": "2.0", "method": "textDocument/didChange",
                                 "params": ["textDocument": ["uri": uri, "version": version], "contentChanges": [edit]]])
            try waitForDiagnostics(version: version)
            durations.append(DispatchTime.now().uptimeNanoseconds - start)
        }
        return durations
    }
    // The client ran on its own thread (its reads block); each round trip is one measurement.
    for duration in durations { benchmark.measurement(changeMetric, Int(duration / 1_000)) }
    let sorted = durations.sorted()
    FileHandle.standardError.write(Data("didChange (\(label)): \(sorted.count) changes; p50 \(sorted[sorted.count / 2] / 1_000) µs, p95 \(sorted[sorted.count * 95 / 100] / 1_000) µs\n".utf8))
    await transport.close()
}

/// Runs blocking work on a thread of its own and waits for it without holding a cooperative thread.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Values collected from many threads.
final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    var values: [Int] { lock.withLock { stored } }
    func add(_ value: Int) { lock.withLock { stored.append(value) } }
}
