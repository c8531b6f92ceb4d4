import Parsing
import SourceModel
import Testing
import TestSupport

@Suite struct EmbeddedCUDATests {
    func parse(_ source: String) throws -> FileOutline {
        try SourceParser().parse(SourceFile(path: "/virtual/host.py", language: .python, text: source)).outline
    }

    @Test func fixtureSourcesAreFoundAndMappedToTheirPythonLines() throws {
        let text = try Fixtures.text("python/embedded_kernels.py")
        let file = SourceFile(path: Fixtures.url("python/embedded_kernels.py").path, language: .python, text: text)
        let outline = try SourceParser().parse(file).outline
        #expect(outline.embeddedSources.map(\.via) == [
            "torch.utils.cpp_extension.load_inline(cuda_sources=)",
            "torch.utils.cpp_extension.load_inline(cuda_sources=)",
            "cupy.RawKernel(code=)",
        ])
        let cuda = outline.kernels.filter { $0.kind == .cudaKernel }
        #expect(cuda.map(\.name) == ["relu_sq_kernel", "softcap_kernel", "scale"])
        #expect(cuda.allSatisfy { $0.foundBy == ["tree-sitter", "libclang"] })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for kernel in cuda {
            let line = lines[kernel.range.start.line]
            #expect(line.contains("__global__ void \(kernel.name)"), "\(kernel.name) maps to: \(line)")
        }
        let launch = try #require(outline.launches.first)
        #expect(launch.kernel == "relu_sq_kernel" && launch.resolved && launch.stream == "s")
        #expect(lines[launch.range.start.line].contains("relu_sq_kernel<<<"))
        #expect(outline.diagnostics.isEmpty, "\(outline.diagnostics)")
        #expect(outline.syntaxErrors.isEmpty)
    }

    @Test func escapedNewlinesInOrdinaryStringsStillMapToTheRightColumn() throws {
        let source = """
        import cupy
        k = cupy.RawKernel("extern \\"C\\" __global__ void twice(float* x) {\\n  x[threadIdx.x] *= 2.f;\\n}\\n", "twice")
        """
        let outline = try parse(source)
        let kernel = try #require(outline.kernels.first)
        #expect(kernel.name == "twice")
        #expect(kernel.range.start.line == 1)
        let lineText = source.split(separator: "\n")[1]
        let column = kernel.range.start.column
        #expect(lineText.utf8.dropFirst(column).starts(with: "__global__ void twice".utf8),
                "the kernel's column in the Python line skips the escaped quotes before it")
    }

    @Test func sourcesBuiltWithPlusAndNamesInsideFunctions() throws {
        let outline = try parse("""
        from torch.utils.cpp_extension import load_inline as build
        PRE = "#include <cuda_runtime.h>\\n"
        def make():
            body = "__global__ void k(float* x) { x[0] = 1.f; }\\n"
            launcher = "void go(float* x) { k<<<1, 1>>>(x); }\\n"
            return build("m", "", cuda_sources=PRE + body + launcher)
        """)
        #expect(outline.kernels.map(\.name) == ["k"])
        #expect(outline.launches.map(\.kernel) == ["k"])
    }

    @Test func unknownValuesAreNotedNotGuessed() throws {
        let outline = try parse("""
        import cupy
        src = open("kernel.cu").read()
        k = cupy.RawKernel(src, "k")
        f = cupy.RawKernel(f"__global__ void {name}() {{}}", name)
        """)
        #expect(outline.embeddedSources.isEmpty)
        #expect(outline.notes.count == 2)
    }

    @Test func aCallThatIsNotACompilerIsIgnored() throws {
        let outline = try parse("""
        def load_inline(**kw): pass
        load_inline(cuda_sources="__global__ void k() {}")
        """)
        #expect(outline.embeddedSources.isEmpty, "a local load_inline is not torch's")
    }
}
