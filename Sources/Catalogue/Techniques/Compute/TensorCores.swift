import TreeSitterKit

/// `tensor_cores`: matrix math runs on the tensor cores.
/// In a kernel (or a device helper it calls): the WMMA API (`nvcuda::wmma::mma_sync`, fragments; libclang
/// resolves `using namespace nvcuda` and aliases), the `__hmma_*`/`__imma_*` builtins, or inline PTX whose
/// instruction is `mma`, `wgmma` or `ldmatrix`.
/// On the host: a GEMM library call that takes the tensor-core path: `cublasHgemm*` always; `cublasLtMatmul`,
/// `cublasGemmEx` and its batched forms when the host code selects 16-bit data (`CUDA_R_16BF`, `CUDA_R_16F`, also
/// through a macro), a TF32/16-bit compute type or a tensor-op algorithm, or when their types come from outside the
/// file (no FP32-only type or compute type is visible); `cublasSgemm*` under the TF32/tensor-op math mode.
/// A `cublasSetMathMode` call that libclang finds only in an included header (a shared setup helper) is taken as
/// enabling tensor-op math.
/// Rejected: a plain `cublasSgemm` in default FP32 math, scalar FMA loops in a kernel that merely includes
/// `<mma.h>`, inline PTX with other instructions (`fma.rn.f32`), and API names in comments or strings.
struct TensorCores: TechniqueDetector {
    let id = "tensor_cores"

    static let wmmaCalls: Set<String> = ["mma_sync", "load_matrix_sync", "store_matrix_sync", "fill_fragment", "bmma_sync"]
    static let ptxInstructions = ["mma.", "wgmma.", "ldmatrix.", "mma.sp"]
    static let alwaysTensorCore: Set<String> = ["cublasHgemm", "cublasHgemmBatched", "cublasHgemmStridedBatched"]
    /// GEMMs whose data and compute types are arguments: tensor cores unless the visible code pins them to FP32.
    static let typedGemms: Set<String> = [
        "cublasLtMatmul", "cublasGemmEx", "cublasGemmBatchedEx", "cublasGemmStridedBatchedEx", "cublasSgemmEx",
    ]
    /// FP32 GEMMs: tensor cores only under the TF32 (or tensor-op) math mode.
    static let fp32Gemms: Set<String> = [
        "cublasSgemm", "cublasSgemm_v2", "cublasSgemmBatched", "cublasSgemmStridedBatched", "cublasCgemm3m",
    ]
    static let fp32Settings: Set<String> = [
        "CUDA_R_32F", "CUBLAS_COMPUTE_32F", "CUBLAS_COMPUTE_32F_PEDANTIC", "CUBLAS_DEFAULT_MATH", "CUBLAS_PEDANTIC_MATH",
    ]
    static let tensorCoreSettings: Set<String> = [
        "CUDA_R_16F", "CUDA_R_16BF", "CUDA_R_8F_E4M3", "CUDA_R_8F_E5M2", "CUDA_C_16F", "CUBLAS_COMPUTE_32F_FAST_TF32",
        "CUBLAS_COMPUTE_32F_FAST_16F", "CUBLAS_COMPUTE_32F_FAST_16BF", "CUBLAS_COMPUTE_16F", "CUBLAS_TF32_TENSOR_OP_MATH",
        "CUBLAS_TENSOR_OP_MATH", "CUBLAS_GEMM_DEFAULT_TENSOR_OP", "CUBLAS_GEMM_ALGO0_TENSOR_OP", "CUBLASLT_MATMUL_DESC_FAST_ACCUM",
    ]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            let resolved = facts.inventory?.calls.first(where: { $0.key == f.name || $0.key.hasSuffix("::" + f.name) })?.value ?? []
            let wmma = resolved.filter { $0.hasPrefix("nvcuda::wmma::") && Self.wmmaCalls.contains(KernelAST.bare($0)) }
            guard let body = f.body else { continue }
            if !wmma.isEmpty {
                for call in body.preorder where call.type == "call_expression" {
                    if let name = KernelAST.callee(call), Self.wmmaCalls.contains(KernelAST.bare(name)) {
                        evidence.append(facts.evidence(call, "WMMA tensor-core operation"))
                    }
                }
            }
            for call in body.preorder where call.type == "call_expression" {
                if let name = KernelAST.callee(call), ["__hmma_", "__imma_", "__bmma_", "__dmma_"].contains(where: { name.hasPrefix($0) }) {
                    evidence.append(facts.evidence(call, "tensor-core MMA builtin"))
                }
            }
            for asm in body.preorder where asm.type == "gnu_asm_expression" {
                guard let code = asm.child(byField: "assembly_code") else { continue }
                let instructions = code.preorder.filter { $0.type == "string_content" }.map(\.text).joined()
                let words = instructions.split(whereSeparator: { $0.isWhitespace || $0 == ";" || $0 == "{" || $0 == "\\" })
                if words.contains(where: { w in Self.ptxInstructions.contains { w.hasPrefix($0) } }) {
                    evidence.append(facts.evidence(asm, "inline PTX tensor-core instruction"))
                }
            }
        }
        if evidence.isEmpty, facts.types(in: kernel).contains(where: { $0.contains("nvcuda::wmma::fragment") }) {
            evidence.append(facts.evidence(kernel.node, "WMMA fragments"))
        }
        return evidence
    }

    func detectHost(_ facts: CUDAFacts) -> [Evidence] {
        let hostSettings = hostIdentifiers(facts)
        var selectsTensorCores = !hostSettings.isDisjoint(with: Self.tensorCoreSettings)
        if !selectsTensorCores {
            // The math mode may be set in an included helper (a `setup` function of a shared header): libclang sees
            // that call even though this file's syntax does not. A visible call that keeps the default math wins.
            let visibleModes = facts.root.preorder.filter { $0.type == "call_expression" && KernelAST.callee($0) == "cublasSetMathMode" }
            let includedCall = (facts.inventory?.calls.values.contains { $0.contains { KernelAST.bare($0) == "cublasSetMathMode" } }) ?? false
            selectsTensorCores = visibleModes.isEmpty && includedCall
        }
        let pinnedToFP32 = !hostSettings.isDisjoint(with: Self.fp32Settings)
        var evidence: [Evidence] = []
        for f in facts.hostFunctions {
            guard let body = f.body else { continue }
            for call in body.preorder where call.type == "call_expression" {
                guard let name = KernelAST.callee(call) else { continue }
                let b = KernelAST.bare(name)
                if Self.alwaysTensorCore.contains(b) {
                    evidence.append(facts.evidence(call, "half-precision cuBLAS GEMM (tensor cores)"))
                } else if Self.typedGemms.contains(b), selectsTensorCores || pinnedToFP32 == false {
                    evidence.append(facts.evidence(call, selectsTensorCores ? "cuBLAS GEMM with a tensor-core data type, compute type or math mode"
                                                                      : "cuBLASLt/GemmEx GEMM with types chosen outside this file"))
                } else if Self.fp32Gemms.contains(b), selectsTensorCores {
                    evidence.append(facts.evidence(call, "FP32 cuBLAS GEMM under a tensor-op (TF32) math mode"))
                }
            }
        }
        return evidence
    }

    /// Identifiers of host-side code (everything outside GPU function bodies), with macros expanded.
    func hostIdentifiers(_ facts: CUDAFacts) -> Set<String> {
        let gpuBodies = facts.functions.filter { $0.role != .host }.compactMap(\.body)
        var result = Set<String>()
        for n in facts.root.preorder where n.type == "identifier" {
            if gpuBodies.contains(where: { KernelAST.isInside(n, $0) }) { continue }
            // Macro definitions count only when used (expanded below).
            if n.parent?.type == "preproc_def" || n.parent?.type == "preproc_function_def" || n.parent?.type == "enumerator" { continue }
            result.formUnion(facts.expansion(of: n.text))
        }
        return result
    }
}
