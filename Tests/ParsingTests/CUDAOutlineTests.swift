import Foundation
import Parsing
import SourceModel
import Testing
import TestSupport

/// tree-sitter and libclang agree on the kernels of every CUDA fixture.
@Suite struct CUDAOutlineTests {
    static let fixtures = ["reductions.cu", "matmul_launch.cu", "matmul_tiled.cuh"]

    @Test(arguments: fixtures)
    func parsersAgreeOnKernels(_ name: String) throws {
        let url = Fixtures.url("cuda/\(name)")
        let file = SourceFile(path: url.path, language: .cuda, bytes: try Fixtures.bytes("cuda/\(name)"))
        let outline = try SourceParser().parse(file).outline
        #expect(outline.syntaxErrors.isEmpty)
        #expect(outline.diagnostics.isEmpty, "\(outline.diagnostics)")
        let own = outline.kernels.filter { $0.file == nil }
        #expect(!own.isEmpty || name == "matmul_launch.cu")
        for kernel in own {
            #expect(kernel.foundBy == ["tree-sitter", "libclang"], "\(kernel.name) found by \(kernel.foundBy)")
        }
    }

    @Test func treeSitterAloneStillFindsKernelsAndLaunches() throws {
        let file = SourceFile(path: "r.cu", language: .cuda, bytes: try Fixtures.bytes("cuda/reductions.cu"))
        let outline = try SourceParser(options: ParseOptions(semanticCUDA: false)).parse(file).outline
        #expect(Set(outline.kernels.filter { $0.kind == .cudaKernel }.map(\.name)) == ["row_sumsq", "row_sum_cg", "scale_half"])
        #expect(outline.launches.count == 4)
        #expect(outline.launches.first?.sharedMemory == "0" && outline.launches.first?.stream == "stream")
        let sumsq = try #require(outline.kernels.first { $0.name == "row_sumsq" })
        #expect(sumsq.templateParameters == ["T", "BLOCK"])
        #expect(sumsq.launchBounds == "BLOCK")
    }

    @Test func deepNestingInCUDAIsReported() throws {
        let depth = 300
        let source = "int f() { return " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "; }\n"
        let outline = try SourceParser().parse(SourceFile(path: "/virtual/deep.cu", language: .cuda, text: source)).outline
        #expect(outline.syntaxErrors.first?.message.contains("clang accepts at most 256") == true)
    }
}
