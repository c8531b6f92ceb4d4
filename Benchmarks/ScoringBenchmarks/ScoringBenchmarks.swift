import Benchmark
import Catalogue
import Engine
import Foundation
import Rules
import SourceModel
import TestSupport

/// Repository root, from this file's path (Benchmarks/ScoringBenchmarks/ScoringBenchmarks.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let corpusRecords = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/llm-speedrunner/records")

func recordScript(_ n: Int) -> SourceFile? {
    let path = corpusRecords.appendingPathComponent("record_\(n)/train_gpt2.py").path
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return SourceFile(path: path, language: .python, bytes: Array(data))
}

/// A submission for a task: the reference record with a comment added, so that it is not byte-identical to the
/// reference (nothing is cached by content here).
func submission(from reference: SourceFile, at folder: URL) throws -> String {
    let text = String(decoding: reference.bytes, as: UTF8.self) + "\n# an agent's note\n"
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("train_gpt2.py").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(5), maxIterations: 200)
    guard let record19 = recordScript(19), let record18 = recordScript(18) else {
        print("../shared/corpus is absent: scoring benchmarks skipped")
        return
    }

    // Everything `srlens classify` does after reading the file: parse, facts, every Python detector.
    Benchmark("classify: record 19 (613 lines), parse and all detectors") { benchmark in
        for _ in benchmark.scaledIterations {
            let facts = try PythonFacts(file: record19)
            blackHole(Classifier.classify([facts]))
        }
    }

    // The detectors alone, on an already parsed file (fresh facts each time, so nothing derived is reused).
    let tree = try? PythonFacts(file: record19).tree
    if let tree {
        Benchmark("classify: record 19, detectors only (tree parsed once)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Classifier.classify([PythonFacts(file: record19, tree: tree)]))
            }
        }
    }

    // The slowest of the agent fixtures before December's memos (12.6 s in the release CLI at 2c57c0fb): a rewrite of
    // record 10 whose optimizer tables are views of dictionaries spread by their callers, and whose schedules are
    // sampled through the interpreter. It shows the worst case, not the typical one.
    if let base = try? String(contentsOf: Corpus.record(10), encoding: .utf8),
       let script = try? EditScript.apply(Fixtures.text("agent-submissions/task10_unet_b46.ed"), to: base) {
        let slow = SourceFile(path: "task10_unet_b46.py", language: .python, bytes: Array(script.utf8))
        Benchmark("classify: slowest agent fixture (task10_unet_b46, 639 lines), parse and all detectors") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Classifier.classify([try PythonFacts(file: slow)]))
            }
        }
    }

    // Scaling: the same record four times over (classes and functions renamed), about 2,450 lines.
    var long = String(decoding: record19.bytes, as: UTF8.self)
    for copy in 1...3 {
        long += "\n\n" + String(decoding: record19.bytes, as: UTF8.self).replacingOccurrences(of: "class ", with: "class C\(copy)_")
            .replacingOccurrences(of: "def ", with: "def f\(copy)_")
    }
    let longScript = SourceFile(path: "long_gpt2.py", language: .python, bytes: Array(long.utf8))
    if let longTree = try? PythonFacts(file: longScript).tree {
        Benchmark("classify: record 19 four times over (2,450 lines), detectors only") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Classifier.classify([PythonFacts(file: longScript, tree: longTree)]))
            }
        }
    }

    // All rule checks on one submission against its base (base facts and the diff prepared once, as
    // `srlens score` and `srlens batch` do).
    if let base = try? PythonFacts(file: record18), case .success(let diff) = DiffService().diff(record18, record19) {
        _ = RuleChecker.check(RuleContext(base: base, submission: try! PythonFacts(file: record19), diff: diff))
        Benchmark("rules: all checks, record 19 against base record 18 (base and diff cached)") { benchmark in
            for _ in benchmark.scaledIterations {
                let submission = try PythonFacts(file: record19)
                blackHole(RuleChecker.check(RuleContext(base: base, submission: submission, diff: diff)))
            }
        }
        // The same without the parse, which scoring shares between classification, diff and rules.
        if let tree {
            Benchmark("rules: all checks, record 19 against base 18 (parsed once, fresh facts)") { benchmark in
                for _ in benchmark.scaledIterations {
                    let submission = PythonFacts(file: record19, tree: tree)
                    blackHole(RuleChecker.check(RuleContext(base: base, submission: submission, diff: diff)))
                }
            }
        }
    }

    // One submission scored for task 18: base and reference loaded, classified and diffed once.
    if let configuration = try? Configuration.resolve(recordsFlag: corpusRecords.path) {
        let service = ScoreService(configuration: configuration)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-score-bench")
        if let context = try? service.context(task: 18), let path = try? submission(from: record19, at: folder) {
            Benchmark("score: one submission for task 18 (base and reference cached)") { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try service.score([path], context: context))
                }
            }
            // As `srlens score` runs it: classification on one thread, the diff and the rules on another.
            Benchmark("score: one submission for task 18, side by side (base and reference cached)") { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try service.score([path], context: context, sideBySide: true))
                }
            }
        }
    }
}
