import Benchmark
import Foundation
import RunLogs

let corpusLogs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus/modded-nanogpt-logs")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))
    let logs: [(String, String)] = [
        ("191 KB llm.c log (AdamW)", "2024-06-06_AdamW/f66d43d7-e449-4029-8adf-e8537bab49ea.log"),
        ("187 KB modded-nanogpt log with its 2,127-line script (FusedLinearReLUSquare)",
         "2026-01-10_FusedLinearReLUSquare/3c47e63b-075e-4b5b-9c76-9dbe7bad9ad4.txt"),
    ]
    for (name, path) in logs {
        guard let data = FileManager.default.contents(atPath: corpusLogs.appendingPathComponent(path).path) else {
            print("../shared/corpus is absent: run-log benchmarks skipped")
            return
        }
        let bytes = Array(data)
        Benchmark("run log: parse a \(name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try RunLogParser.parse(bytes)) }
        }
    }
}
