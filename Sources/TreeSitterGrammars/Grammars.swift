import TreeSitterCUDA
import TreeSitterKit
import TreeSitterPython

extension Language {
    /// tree-sitter-python 0.23.6 (pinned in grammars/grammars.lock).
    public static let python = Language(name: "python", pointer: tree_sitter_python()!)
    /// tree-sitter-cuda 0.21.0 (pinned in grammars/grammars.lock): C++ with CUDA extensions.
    public static let cuda = Language(name: "cuda", pointer: tree_sitter_cuda()!)
}
