import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// CUDA kernels that compute a catalogued Python-level operation count as that innovation.
@Suite struct CrossLanguageTests {
    func cuda(_ text: String) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-x-\(UUID().uuidString).cu").path
        return KernelInnovations.detect(try CUDAFacts(file: SourceFile(path: path, language: .cuda, text: text))).map(\.id)
    }

    let launcher = "\nvoid go(float* x, int n) { k<<<(n + 255) / 256, 256>>>(x, n); }\n"

    @Test func reluSquaredInAKernel() throws {
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; float r = fmaxf(x[i], 0.0f); x[i] = r * r; }" + launcher) == ["relu_squared"])
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; x[i] = powf(x[i] > 0.f ? x[i] : 0.f, 2.0f); }" + launcher) == ["relu_squared"])
    }

    @Test func nearMissesAreNotCredited() throws {
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; float r = fmaxf(x[i], 1.0f); x[i] = r * r; }" + launcher).isEmpty,
                "max with 1 is not a ReLU")
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; float r = x[i] * x[i]; x[i] = fmaxf(r, 0.f); }" + launcher).isEmpty,
                "squaring first is not ReLU squared")
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; float r = fmaxf(x[i], 0.0f); x[i] = r * r; }").isEmpty,
                "a kernel nothing launches does not count")
    }

    @Test func softcapWithItsValue() throws {
        let capped = "__global__ void k(float* x, int n) { int i = threadIdx.x; const float cap = 15.0f; x[i] = cap * tanhf(x[i] / cap); }" + launcher
        #expect(try cuda(capped) == ["logit_softcap"], "a named cap: the value is not read through the name")
        let literal = "__global__ void k(float* x, int n) { int i = threadIdx.x; x[i] = 15.0f * tanhf(x[i] / 15.0f); }" + launcher
        #expect(try cuda(literal) == ["logit_softcap", "logit_softcap_15"])
        #expect(try cuda("__global__ void k(float* x, int n) { int i = threadIdx.x; x[i] = 30.f * tanhf(x[i] / 15.f); }" + launcher).isEmpty)
    }
}
