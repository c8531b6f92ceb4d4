import Benchmark
import Engine
import Foundation
import Store

/// Repository root, from this file's path (Benchmarks/BatchBenchmarks/BatchBenchmarks.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let corpusRecords = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/llm-speedrunner/records")

/// A folder of `count` submissions for task 4, each the reference record 5 with a distinct edit (so no two
/// share a content hash), and a results.json for the speed.
func makeSubmissions(count: Int) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-batch-bench-\(count)")
    try? FileManager.default.removeItem(at: root)
    let script = try String(contentsOf: corpusRecords.appendingPathComponent("record_5/train_gpt2.py"), encoding: .utf8)
    let results = try Data(contentsOf: corpusRecords.appendingPathComponent("record_5/results.json"))
    for i in 0..<count {
        let folder = root.appendingPathComponent(String(format: "run_%04d", i))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (script + "\n# variant \(i)\n").write(to: folder.appendingPathComponent("train_gpt2.py"), atomically: true, encoding: .utf8)
        try results.write(to: folder.appendingPathComponent("results.json"))
    }
    return root.path
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .peakMemoryResident], maxDuration: .seconds(10),
                                           maxIterations: 20)
    guard FileManager.default.fileExists(atPath: corpusRecords.path) else {
        print("../shared/corpus is absent: batch benchmarks skipped")
        return
    }
    let count = 64
    guard let root = try? makeSubmissions(count: count),
          let configuration = try? Configuration.resolve(recordsFlag: corpusRecords.path) else { return }
    let candidates = (try? SubmissionDiscovery.discover(root: root, task: 4)) ?? []

    // Scores every submission from scratch (a new database each time); base and reference are prepared once
    // per batch, as `srlens batch` does. Throughput is in submissions per second (scaled by `count`).
    Benchmark("batch: 64 distinct submissions for task 4, scored on all cores (no cache)",
              configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-bench-\(UUID().uuidString).sqlite").path
            let store = try Store(path: path)
            let service = BatchService(store: store, scorer: ScoreService(configuration: configuration), label: "bench")
            benchmark.startMeasurement()
            blackHole(try service.run(candidates))
            benchmark.stopMeasurement()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    // The same batch again under another label: every analysis comes from the cache.
    let cachePath = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-bench-cache.sqlite").path
    try? FileManager.default.removeItem(atPath: cachePath)
    if let store = try? Store(path: cachePath) {
        _ = try? BatchService(store: store, scorer: ScoreService(configuration: configuration), label: "warm").run(candidates)
        Benchmark("batch: the same 64 submissions again, all from the analysis cache") { benchmark in
            for i in benchmark.scaledIterations {
                let service = BatchService(store: store, scorer: ScoreService(configuration: configuration), label: "again-\(i)-\(UUID().uuidString)")
                blackHole(try service.run(candidates))
            }
        }
    }
}
