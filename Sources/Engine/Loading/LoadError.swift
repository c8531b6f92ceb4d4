/// Why a path could not be turned into analysable source. Each case reads as one line for the user.
public enum LoadError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case isDirectory(String)
    case unreadable(String, reason: String)
    case tooLarge(String, bytes: Int, limit: Int)
    case empty(String)
    case binary(String, offset: Int)
    case invalidUTF8(String, offset: Int, line: Int)
    case unsupportedType(String)
    case noScriptInLog(String, reason: String)

    public var path: String {
        switch self {
        case let .notFound(p), let .isDirectory(p), let .unreadable(p, _), let .tooLarge(p, _, _), let .empty(p),
             let .binary(p, _), let .invalidUTF8(p, _, _), let .unsupportedType(p), let .noScriptInLog(p, _):
            p
        }
    }

    public var description: String {
        switch self {
        case let .notFound(p): "\(p): no such file"
        case let .isDirectory(p): "\(p): is a directory, not a source file"
        case let .unreadable(p, reason): "\(p): cannot be read (\(reason))"
        case let .tooLarge(p, bytes, limit): "\(p): \(bytes) bytes is over the \(limit)-byte limit (see --max-bytes)"
        case let .empty(p): "\(p): the file is empty, there is nothing to parse"
        case let .binary(p, offset): "\(p): binary file (NUL byte at offset \(offset)), not source text"
        case let .invalidUTF8(p, offset, line): "\(p): invalid UTF-8 at byte \(offset) (line \(line)); source must be UTF-8"
        case let .unsupportedType(p): "\(p): not a Python (.py), CUDA/C++ (.cu, .cuh, .cpp, .h) or run-log (.txt, .log) file"
        case let .noScriptInLog(p, reason): "\(p): \(reason)"
        }
    }
}
