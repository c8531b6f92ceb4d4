import Benchmark
import Catalogue
import ClangKit
import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A 2,000-line `.cu` file: the project's CUDA fixtures repeated with renamed kernels and helpers.
func largeCUDASource() throws -> String {
    let fixtures = ["reductions.cu", "matmul_launch.cu"].map { repositoryRoot.appendingPathComponent("Tests/Fixtures/cuda/\($0)") }
    let pieces = try fixtures.map { try String(contentsOf: $0, encoding: .utf8) }
    var text = "#include <cuda_runtime.h>\n#include <cuda_fp16.h>\n#include <cuda_bf16.h>\n#include <cooperative_groups.h>\n#include <cooperative_groups/reduce.h>\n"
    var copy = 0
    while text.split(separator: "\n").count < 2_000 {
        for piece in pieces {
            // Rename every identifier that defines something, so each copy is a distinct code base.
            let body = piece.split(separator: "\n").filter { !$0.hasPrefix("#include") }.joined(separator: "\n")
            text += "namespace copy\(copy) {\n" + body.replacingOccurrences(of: "namespace cg = cooperative_groups;", with: "") + "\n}\n"
        }
        copy += 1
    }
    return "namespace cg = cooperative_groups;\n" + text
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5))
    guard let source = try? largeCUDASource() else { return }
    let lines = source.split(separator: "\n").count
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-bench-large.cu").path
    try? source.write(toFile: path, atomically: true, encoding: .utf8)
    let file = SourceFile(path: path, language: .cuda, text: source)

    Benchmark("tree-sitter: parse a \(lines)-line .cu file") { benchmark in
        let parser = try Parser(language: .cuda)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try parser.parse(bytes: file.bytes)) }
    }

    Benchmark("libclang: parse a \(lines)-line .cu file and build its inventory") { benchmark in
        for _ in benchmark.scaledIterations {
            let unit = try TranslationUnit(path: path, arguments: CUDAShim.arguments,
                                           unsavedFiles: CUDAShim.unsavedFiles + [.init(path: path, contents: source)])
            blackHole(KernelInventory(unit: unit) { _ in file.bytes })
        }
    }

    Benchmark("classify: every technique detector over every kernel of a \(lines)-line .cu file (parsing included)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(TechniqueClassifier.classify(try CUDAFacts(file: file)))
        }
    }
}
