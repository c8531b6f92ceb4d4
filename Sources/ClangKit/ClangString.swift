import CClang

extension String {
    /// Takes ownership of a `CXString` and returns its contents.
    init(consuming cx: CXString) {
        defer { clang_disposeString(cx) }
        guard let c = clang_getCString(cx) else {
            self = ""
            return
        }
        self = String(cString: c)
    }
}
