import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Kernels spread over several files, as real code bases are: the kernel in norm.cu reaches its reduction
/// through a macro defined in reduce.cuh, which includes common.cuh. No CUDA SDK is needed.
@Suite struct TechniqueCodeBaseTests {
    func facts(_ relative: String) throws -> CUDAFacts {
        let url = Fixtures.url("cuda/\(relative)")
        return try CUDAFacts(file: SourceFile(path: url.path, language: .cuda, bytes: Array(try Data(contentsOf: url))))
    }

    @Test func helpersInIncludedHeadersAreReached() throws {
        let facts = try facts("project/norm.cu")
        #expect(facts.headers.map { ($0.file.path as NSString).lastPathComponent }.sorted() == ["common.cuh", "reduce.cuh"])
        let kernel = try #require(facts.ownKernels.first { $0.name == "rmsnorm_fwd" })
        #expect(facts.reach(kernel).map(\.name).contains("warp_all_sum"))
        #expect(facts.inventory?.errors.isEmpty == true, "parsed without a CUDA SDK: \(facts.inventory?.errors.map(\.message) ?? [])")
        let report = TechniqueClassifier.classify(facts)
        let techniques = report.kernels.first { $0.name == "rmsnorm_fwd" }?.techniques ?? []
        let shuffle = try #require(techniques.first { $0.id == "warp_shuffle_reduction" })
        #expect(shuffle.evidence.first?.path.hasSuffix("reduce.cuh") == true, "the evidence is in the header that holds the shuffle")
        #expect(facts.types(in: kernel).contains { $0.contains("__nv_bfloat16") }, "the bf16 alias is seen through")
    }

    @Test func aNaiveKernelUsesNoTechnique() throws {
        let report = TechniqueClassifier.classify(try facts("naive.cu"))
        #expect(report.kernels.map(\.name) == ["row_sums"])
        #expect(report.kernels.allSatisfy { $0.techniques.isEmpty }, "\(report.kernels.flatMap { $0.techniques.map(\.id) })")
        #expect(report.host.isEmpty, "\(report.host.map(\.id))")
    }
}
