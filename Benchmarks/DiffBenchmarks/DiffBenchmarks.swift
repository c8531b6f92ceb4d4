import Benchmark
import Engine
import Foundation
import Parsing
import SemanticDiff
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// Repository root, from this file's path (Benchmarks/DiffBenchmarks/DiffBenchmarks.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func corpusRecord(_ n: Int) -> [UInt8]? {
    let url = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/llm-speedrunner/records/record_\(n)/train_gpt2.py")
    return (try? Data(contentsOf: url)).map(Array.init)
}

/// Everything `srlens diff` does after reading the files: parse both, normalize and lower, match, edit
/// script, summary.
func diffBytes(_ parser: Parser, _ old: [UInt8], _ new: [UInt8]) throws -> SemanticDiffResult {
    let a = NormalizedTree.build(try parser.parse(bytes: old).rootNode, language: .python)
    let b = NormalizedTree.build(try parser.parse(bytes: new).rootNode, language: .python)
    return SemanticDiffer.diff(DiffSide(path: "old", tree: a, bytes: old), DiffSide(path: "new", tree: b, bytes: new))
}

/// 5,000 lines of functions that differ only in one constant each (the worst case for hash-based matching).
func nearIdenticalFunctions(count: Int, shift: Int) -> [UInt8] {
    var text = "import torch\n"
    for i in 0..<count {
        text += "def f\(i)(x):\n    y = x * \((i + shift) % 7)\n    return torch.relu(y) + \(i % 3)\n\n"
    }
    return Array(text.utf8)
}

func bigList(count: Int, changedAt: Int) -> [UInt8] {
    var items: [String] = []
    items.reserveCapacity(count)
    for i in 0..<count { items.append(i == changedAt ? "-1" : String(i % 97)) }
    return Array("TABLE = [\(items.joined(separator: ", "))]\n".utf8)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(3))

    let functionsOld = nearIdenticalFunctions(count: 1_250, shift: 0)
    let functionsNew = nearIdenticalFunctions(count: 1_250, shift: 1)
    Benchmark("diff: 5,000-line file of near-identical functions", configuration: .init(maxDuration: .seconds(10))) { benchmark in
        let parser = try Parser(language: .python)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try diffBytes(parser, functionsOld, functionsNew)) }
    }

    let listOld = bigList(count: 20_000, changedAt: -1), listNew = bigList(count: 20_000, changedAt: 10_000)
    Benchmark("diff: 20,000-element list literal, one element changed", configuration: .init(maxDuration: .seconds(10))) { benchmark in
        let parser = try Parser(language: .python)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try diffBytes(parser, listOld, listNew)) }
    }

    guard let old = corpusRecord(19), let new = corpusRecord(20) else {
        print("../shared/corpus is absent: record-pair diff benchmarks skipped")
        return
    }

    Benchmark("parse only: both files of the record 19 -> 20 pair (613 and 621 lines)") { benchmark in
        let parser = try Parser(language: .python)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(bytes: old))
            blackHole(try parser.parse(bytes: new))
        }
    }

    Benchmark("diff: record 19 -> 20, parsing included, both sides on one thread") { benchmark in
        let parser = try Parser(language: .python)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try diffBytes(parser, old, new)) }
    }

    // What `srlens diff` runs: DiffService parses and lowers the two files concurrently, then matches.
    let oldFile = SourceFile(path: "record_19.py", language: .python, bytes: old)
    let newFile = SourceFile(path: "record_20.py", language: .python, bytes: new)
    Benchmark("diff: record 19 -> 20, parsing included (what srlens diff does)") { benchmark in
        let service = DiffService()
        for _ in benchmark.scaledIterations { blackHole(try service.diff(oldFile, newFile).get()) }
    }

    Benchmark("diff: record 19 -> 20, matching, edit script and summary only") { benchmark in
        let parser = try Parser(language: .python)
        let a = DiffSide(path: "old", tree: NormalizedTree.build(try parser.parse(bytes: old).rootNode, language: .python), bytes: old)
        let b = DiffSide(path: "new", tree: NormalizedTree.build(try parser.parse(bytes: new).rootNode, language: .python), bytes: new)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(SemanticDiffer.diff(a, b)) }
    }

    Benchmark("lower without normalizing: one 621-line record") { benchmark in
        let parser = try Parser(language: .python)
        let tree = try parser.parse(bytes: new)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(NormalizedTree.build(tree.rootNode, language: .python, options: .none)) }
    }

    Benchmark("normalize and lower: one 621-line record") { benchmark in
        let parser = try Parser(language: .python)
        let tree = try parser.parse(bytes: new)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(NormalizedTree.build(tree.rootNode, language: .python)) }
    }
}
