/// Declarations that stand in for the CUDA SDK, so CUDA sources parse with libclang on machines without one.
///
/// The prelude is force-included before every file: it spells the CUDA keywords as clang attributes, declares
/// the built-in index variables, the launch-configuration hooks clang needs for `<<<...>>>`, and the
/// device-side intrinsics kernels call. The headers answer the `#include`s real code writes. Declarations only:
/// nothing here is ever compiled to code.
public enum CUDAShim {
    /// Virtual directory the headers are served from (they are passed to libclang as unsaved files).
    public static let directory = "/__srlens_cuda_shim__"

    /// Compiler arguments for parsing CUDA without an SDK, as measured on clang 14.
    public static var arguments: [String] {
        ["-x", "cuda", "--cuda-host-only", "-nocudainc", "-nocudalib", "--cuda-gpu-arch=sm_80", "-std=c++17",
         "-ferror-limit=0", "-Wno-everything", "-I\(directory)", "-include", "\(directory)/srlens_cuda_prelude.h"]
    }

    /// Every shim header, keyed by its path under `directory`.
    public static let headers: [String: String] = {
        var all: [String: String] = ["srlens_cuda_prelude.h": prelude]
        for (name, text) in sdkHeaders { all[name] = text }
        return all
    }()

    /// The shim headers as unsaved files for `TranslationUnit`.
    public static var unsavedFiles: [TranslationUnit.UnsavedFile] {
        headers.map { TranslationUnit.UnsavedFile(path: "\(directory)/\($0.key)", contents: $0.value) }
    }

    /// True for a path that belongs to the shim rather than to the user's sources.
    public static func isShimPath(_ path: String) -> Bool { path.hasPrefix(directory + "/") }
}
