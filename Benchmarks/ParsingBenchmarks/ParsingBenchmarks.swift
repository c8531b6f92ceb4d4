import Benchmark
import ClangKit
import Foundation
import Parsing
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// Repository root, from this file's path (Benchmarks/ParsingBenchmarks/ParsingBenchmarks.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A corpus record's bytes, or nil when ../shared/corpus is absent.
func corpusRecord(_ n: Int) -> [UInt8]? {
    let url = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/llm-speedrunner/records/record_\(n)/train_gpt2.py")
    return (try? Data(contentsOf: url)).map(Array.init)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(3))

    // The libclang benchmark needs only the project's own fixture.
    let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/cuda/reductions.cu").path
    Benchmark("libclang: parse a CUDA fixture (84 lines) and build its kernel inventory") { benchmark in
        for _ in benchmark.scaledIterations {
            let unit = try TranslationUnit(path: fixture, arguments: CUDAShim.arguments,
                                           unsavedFiles: CUDAShim.unsavedFiles)
            blackHole(KernelInventory(unit: unit) { _ in nil })
        }
    }

    guard let record = corpusRecord(20) else {
        print("../shared/corpus is absent: record-based parsing benchmarks skipped")
        return
    }

    Benchmark("tree-sitter: full parse of a 600-line record") { benchmark in
        let parser = try Parser(language: .python)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try parser.parse(bytes: record)) }
    }

    // One-line edit: rename a word on a line near the end of the file, then re-parse with the old tree.
    // Setup (parser, first parse) happens before startMeasurement: only the re-parse is timed.
    let needle = Array("num_iterations".utf8)
    let at = (0..<(record.count - needle.count)).first { Array(record[$0..<$0 + needle.count]) == needle } ?? record.count / 2
    let edited = Array(record[..<at]) + Array("num_iterationz".utf8) + Array(record[(at + needle.count)...])
    Benchmark("tree-sitter: incremental re-parse after a one-line edit") { benchmark in
        let parser = try Parser(language: .python)
        let base = try parser.parse(bytes: record)
        let edit = InputEdit.replacing(at..<(at + needle.count), in: record, with: Array("num_iterationz".utf8))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let old = base.edited(edit)
            blackHole(try parser.parse(bytes: edited, oldTree: old))
        }
    }

    let tree = try? Parser(language: .python).parse(bytes: record)
    let query = try? Query(language: .python, source: """
    ((call function: (attribute object: (identifier) @module attribute: (identifier) @fn)) @call
     (#any-of? @fn "relu" "gelu" "square" "tanh" "softmax" "scaled_dot_product_attention")
     (#match? @module "^(F|torch|nn)$"))
    """)
    Benchmark("tree-sitter: query execution with text predicates over a record") { benchmark in
        guard let tree, let query else { return }
        let cursor = QueryCursor()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(cursor.matches(of: query, in: tree.rootNode)) }
    }

    let file = SourceFile(path: "record_20/train_gpt2.py", language: .python, bytes: record)
    Benchmark("srlens: parse and outline a 600-line record") { benchmark in
        let parser = try SourceParser()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try parser.parse(file)) }
    }
}
