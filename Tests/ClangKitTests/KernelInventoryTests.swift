import ClangKit
import Foundation
import Testing
import TestSupport

/// Parses a fixture with the CUDA shim and returns its inventory.
func inventory(_ fixture: String) throws -> KernelInventory {
    let url = Fixtures.url("cuda/\(fixture)")
    let unit = try TranslationUnit(path: url.path, arguments: CUDAShim.arguments, unsavedFiles: CUDAShim.unsavedFiles)
    return KernelInventory(unit: unit) { path in try? Array(Data(contentsOf: URL(fileURLWithPath: path))) }
}

@Suite struct KernelInventoryTests {
    @Test func reductionsHasNoErrorsWithoutAnSDK() throws {
        let inv = try inventory("reductions.cu")
        #expect(inv.errors.isEmpty, "\(inv.errors)")
    }

    @Test func findsKernelsAndDeviceFunctions() throws {
        let inv = try inventory("reductions.cu")
        #expect(Set(inv.kernels.map(\.name)) == ["row_sumsq", "row_sum_cg", "scale_half"])
        let sumsq = try #require(inv.kernels.first { $0.name == "row_sumsq" })
        #expect(sumsq.templateParameters == ["T", "BLOCK"])
        #expect(sumsq.launchBounds == "BLOCK")
        #expect(sumsq.parameters.map(\.name) == ["x", "out", "cols"])
        let device = inv.functions.filter { $0.role == .device }.map(\.name)
        #expect(device.contains("warp_sum"))
        #expect(device.filter { $0 == "to_float" }.count == 2, "both explicit specializations are definitions")
    }

    @Test func launchBoundsArgumentsAreSplitOutsideParentheses() throws {
        let source = """
            #define MIN_BLOCKS(n) ((n) > 256 ? 1 : 2)
            template <int BLOCK>
            __global__ void __launch_bounds__(BLOCK, MIN_BLOCKS(BLOCK * 2)) tiled(float* x) { x[threadIdx.x] = 0.f; }
            template <typename T>
            __global__ void __launch_bounds__(256) plain(T* x) { x[threadIdx.x] = 0.f; }
            void run(float* x) { tiled<128><<<1, 128>>>(x); plain<float><<<1, 256>>>(x); }
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-bounds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bounds.cu").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        let unit = try TranslationUnit(path: path, arguments: CUDAShim.arguments, unsavedFiles: CUDAShim.unsavedFiles)
        let inv = KernelInventory(unit: unit) { try? Array(Data(contentsOf: URL(fileURLWithPath: $0))) }
        let tiled = try #require(inv.kernels.first { $0.name == "tiled" })
        #expect(tiled.launchBoundsArguments == ["BLOCK", "MIN_BLOCKS ( BLOCK * 2 )"])
        #expect(tiled.launchBounds == "BLOCK, MIN_BLOCKS ( BLOCK * 2 )")
        let plain = try #require(inv.kernels.first { $0.name == "plain" })
        #expect(plain.launchBoundsArguments == ["256"])
    }

    @Test func findsEveryLaunchWithItsConfiguration() throws {
        let inv = try inventory("reductions.cu")
        #expect(inv.launches.count == 4)
        let first = try #require(inv.launches.first)
        #expect(first.kernel == "row_sumsq")
        #expect(first.resolved)
        #expect(first.caller == "launch_all")
        #expect(first.grid == "rows")
        #expect(first.block == "threads")
        #expect(first.sharedMemory == "0")
        #expect(first.stream == "stream")
        #expect(first.arguments == ["xh", "out", "cols"])
        let second = inv.launches[1]
        #expect(second.grid == "dim3(rows)" && second.block == "dim3(128)")
        #expect(second.sharedMemory == nil && second.stream == nil)
        let third = inv.launches[2]
        #expect(third.kernel == "row_sum_cg" && third.sharedMemory == "smem" && third.stream == "stream")
        let fourth = inv.launches[3]
        #expect(fourth.kernel == "scale_half" && fourth.grid == "CEIL_DIV(rows * cols, threads)")
    }

    @Test func findsSharedMemoryStaticAndDynamic() throws {
        let inv = try inventory("reductions.cu")
        let partial = try #require(inv.sharedDeclarations.first { $0.name == "partial" })
        #expect(!partial.isDynamic && partial.function == "row_sumsq")
        let scratch = try #require(inv.sharedDeclarations.first { $0.name == "scratch" })
        #expect(scratch.isDynamic && scratch.function == "row_sum_cg")
    }

    @Test func findsWarpAndCooperativeGroupCallsThroughTheAlias() throws {
        let inv = try inventory("reductions.cu")
        let warp = inv.intrinsicCalls.filter { $0.category == .warp }
        #expect(warp.map(\.name) == ["__shfl_down_sync"])
        #expect(warp.first?.function == "warp_sum")
        let cg = Set(inv.intrinsicCalls.filter { $0.category == .cooperativeGroups }.map(\.name))
        #expect(cg.isSuperset(of: ["cooperative_groups::this_thread_block", "cooperative_groups::tiled_partition",
                                   "cooperative_groups::reduce"]))
        #expect(cg.contains { $0.hasSuffix("meta_group_rank") })
    }

    @Test func kernelInAHeaderAndDependentLaunchInATemplate() throws {
        let inv = try inventory("matmul_launch.cu")
        #expect(inv.errors.isEmpty, "\(inv.errors)")
        let kernel = try #require(inv.kernels.first)
        #expect(kernel.name == "matmul_tiled" && kernel.span.file.hasSuffix("matmul_tiled.cuh"))
        #expect(inv.sharedDeclarations.map(\.name) == ["As", "Bs"])
        let launch = try #require(inv.launches.first)
        #expect(launch.kernel == "matmul_tiled")
        #expect(launch.caller == "launch_matmul")
        #expect(launch.grid == "grid" && launch.block == "block" && launch.sharedMemory == "0" && launch.stream == "s")
    }

    @Test func brokenSourceStillYieldsKernelsAndReportsErrors() throws {
        let source = """
        __global__ void ok(float* x) { x[threadIdx.x] = 1.0f; }
        __global__ void broken(float* x) { x[threadIdx.x] = undefined_thing + ; }
        void host(float* x) { ok<<<1, 32>>>(x); }
        """
        let unit = try TranslationUnit(path: "/virtual/broken.cu", arguments: CUDAShim.arguments,
                                       unsavedFiles: CUDAShim.unsavedFiles + [.init(path: "/virtual/broken.cu", contents: source)])
        let inv = KernelInventory(unit: unit) { _ in Array(source.utf8) }
        #expect(Set(inv.kernels.map(\.name)) == ["ok", "broken"])
        #expect(inv.launches.map(\.kernel) == ["ok"])
        #expect(!inv.errors.isEmpty)
        #expect(inv.errors.allSatisfy { $0.location.file == "/virtual/broken.cu" })
    }
}
