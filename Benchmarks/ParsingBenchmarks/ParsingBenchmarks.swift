import Benchmark
import Foundation
import TreeSitterGrammars
import TreeSitterKit

/// The 600-line record used for parse timings (record 12 has 603 lines), or nil without the corpus.
func corpusRecord(_ n: Int) -> [UInt8]? {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/llm-speedrunner/records/record_\(n)/train_gpt2.py")
    return (try? Data(contentsOf: url)).map(Array.init)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))
    guard let record = corpusRecord(12) else {
        print("../shared/corpus is absent: parsing benchmarks skipped")
        return
    }
    Benchmark("tree-sitter: full parse of a 600-line record") { benchmark in
        let parser = try Parser(language: .python)
        for _ in benchmark.scaledIterations { blackHole(try parser.parse(bytes: record)) }
    }
}
