import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// The examples beside each CUDA technique detector (`queries/cuda/<id>/examples/pos_*.cu` and `neg_*.cu`).
enum TechniqueExamples {
    static let root = Fixtures.repositoryRoot.appendingPathComponent("queries/cuda")

    static let all: [String] = {
        guard let ids = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return ids.sorted().flatMap { id -> [String] in
            let folder = root.appendingPathComponent(id).appendingPathComponent("examples")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return files.filter { $0.hasSuffix(".cu") || $0.hasSuffix(".cuh") }.sorted().map { "\(id)/examples/\($0)" }
        }
    }()

    static func facts(_ relative: String) throws -> CUDAFacts {
        let url = root.appendingPathComponent(relative)
        return try CUDAFacts(file: SourceFile(path: url.path, language: .cuda, bytes: Array(try Data(contentsOf: url))))
    }
}

@Suite struct TechniqueExampleTests {
    @Test(arguments: TechniqueExamples.all)
    func example(_ relative: String) throws {
        let id = String(relative.split(separator: "/")[0])
        let detector = try #require(TechniqueRegistry.detector(id), "no detector for \(id)")
        let facts = try TechniqueExamples.facts(relative)
        let evidence = facts.kernels.flatMap { detector.detect(kernel: $0, in: facts) } + detector.detectHost(facts)
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        if name.hasPrefix("pos_") {
            #expect(!evidence.isEmpty, "\(id) should be found in \(name)")
        } else {
            #expect(evidence.isEmpty, "\(id) should not be found in \(name): \(evidence.map { "\($0.range.start): \($0.code)" })")
        }
    }
}
