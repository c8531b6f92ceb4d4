/// Failures of the libclang wrapper.
public enum ClangError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `clang_parseTranslationUnit2` returned an error code (crash, invalid arguments, AST read error).
    case parseFailed(path: String, code: Int)

    public var description: String {
        switch self {
        case let .parseFailed(path, code):
            let reason = switch code {
            case 1: "libclang failed"
            case 2: "libclang crashed"
            case 3: "invalid arguments"
            case 4: "AST read error"
            default: "error code \(code)"
            }
            return "libclang could not parse \(path): \(reason)"
        }
    }
}
