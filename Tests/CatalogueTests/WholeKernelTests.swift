import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// CUDA files written in other codebases' styles (`Tests/Fixtures/whole-kernels/`, see its README), each kernel
/// with the techniques it uses and the near misses it holds.
enum WholeKernels {
    struct Entry: Decodable {
        let present: [String]?
        let near_miss: [String]?
        let known: [String: String]?
    }

    static let root = Fixtures.url("whole-kernels")

    /// File name to kernel name (or `_host`) to entry.
    static let manifest: [String: [String: Entry]] = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")) else { return [:] }
        return (try? JSONDecoder().decode([String: [String: Entry]].self, from: data)) ?? [:]
    }()

    static var files: [String] { manifest.keys.sorted() }
}

@Suite struct WholeKernelTests {
    @Test func everyFileHasAnEntry() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: WholeKernels.root.path).filter { $0.hasSuffix(".cu") }
        #expect(files.count >= 14, "Tests/Fixtures/whole-kernels lost files")
        for file in files { #expect(WholeKernels.manifest[file] != nil, "\(file) is not in the manifest") }
        let ids = Set(TechniqueRegistry.all.map(\.id))
        for (file, kernels) in WholeKernels.manifest {
            for (kernel, entry) in kernels {
                for id in (entry.present ?? []) + (entry.near_miss ?? []) { #expect(ids.contains(id), "\(file) \(kernel) names an unknown id \(id)") }
            }
        }
    }

    @Test(arguments: WholeKernels.files)
    func file(_ name: String) throws {
        let kernels = try #require(WholeKernels.manifest[name])
        let url = WholeKernels.root.appendingPathComponent(name)
        let facts = try CUDAFacts(file: SourceFile(path: url.path, language: .cuda, bytes: Array(try Data(contentsOf: url))))
        let report = TechniqueClassifier.classify(facts)
        let byKernel = Dictionary(report.kernels.map { ($0.name, Set($0.techniques.map(\.id))) }, uniquingKeysWith: { $0.union($1) })
        let anywhere = byKernel.values.reduce(Set(report.host.map(\.id))) { $0.union($1) }
        for (kernel, entry) in kernels {
            let found: Set<String>
            if kernel == "_host" {
                found = anywhere
            } else {
                guard let techniques = byKernel[kernel] else {
                    Issue.record("\(name): kernel \(kernel) was not reported")
                    continue
                }
                found = techniques
            }
            let known = entry.known ?? [:]
            for id in entry.present ?? [] {
                if let reason = known[id] {
                    withKnownIssue("\(id) in \(name) \(kernel): \(reason)") { #expect(found.contains(id)) }
                } else {
                    #expect(found.contains(id), "\(id) should be found in \(name) \(kernel)")
                }
            }
            for id in (entry.near_miss ?? []) where !(entry.present ?? []).contains(id) {
                if let reason = known[id] {
                    withKnownIssue("\(id) in \(name) \(kernel): \(reason)") { #expect(!found.contains(id)) }
                } else {
                    #expect(!found.contains(id), "\(id) is a near miss in \(name) \(kernel) and should not be found")
                }
            }
        }
    }
}
