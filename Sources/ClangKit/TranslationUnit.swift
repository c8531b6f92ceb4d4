import CClang

/// A parsed C++/CUDA translation unit. Immutable after parsing; reading it from several threads is not safe
/// in libclang, so a unit stays on the task that parsed it.
public final class TranslationUnit: @unchecked Sendable {
    let raw: CXTranslationUnit
    private let index: CXIndex
    public let path: String

    /// In-memory file contents: the main file's text and any virtual headers.
    public struct UnsavedFile: Sendable {
        public var path: String
        public var contents: String
        public init(path: String, contents: String) {
            self.path = path
            self.contents = contents
        }
    }

    /// Parses `path` with `arguments`. Files in `unsavedFiles` need not exist on disk.
    /// Parsing keeps going after errors (`CXTranslationUnit_KeepGoing`): a file full of errors still yields an AST.
    public init(path: String, arguments: [String], unsavedFiles: [UnsavedFile] = [],
                detailedPreprocessing: Bool = false) throws {
        self.path = path
        let index = clang_createIndex(0, 0)!
        self.index = index
        var options = CXTranslationUnit_KeepGoing.rawValue
        if detailedPreprocessing { options |= CXTranslationUnit_DetailedPreprocessingRecord.rawValue }
        var unit: CXTranslationUnit?
        // Keep every C string alive for the duration of the call.
        let argStorage = arguments.map { strdup($0) }
        let pathStorage = unsavedFiles.map { strdup($0.path) }
        let contentStorage = unsavedFiles.map { file -> (UnsafeMutablePointer<CChar>, Int) in
            let bytes = Array(file.contents.utf8)
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
            buffer[bytes.count] = 0
            return (buffer, bytes.count)
        }
        defer {
            argStorage.forEach { free($0) }
            pathStorage.forEach { free($0) }
            contentStorage.forEach { $0.0.deallocate() }
        }
        var files = (0..<unsavedFiles.count).map { i in
            CXUnsavedFile(Filename: pathStorage[i], Contents: contentStorage[i].0, Length: UInt(contentStorage[i].1))
        }
        var args = argStorage.map { UnsafePointer($0) }
        let code = args.withUnsafeMutableBufferPointer { argv in
            files.withUnsafeMutableBufferPointer { filesBuffer in
                clang_parseTranslationUnit2(index, path, argv.baseAddress, Int32(argv.count),
                                            filesBuffer.baseAddress, UInt32(filesBuffer.count), options, &unit)
            }
        }
        guard code == CXError_Success, let unit else {
            clang_disposeIndex(index)
            throw ClangError.parseFailed(path: path, code: Int(code.rawValue))
        }
        raw = unit
    }

    deinit {
        clang_disposeTranslationUnit(raw)
        clang_disposeIndex(index)
    }

    public var cursor: Cursor { Cursor(raw: clang_getTranslationUnitCursor(raw), unit: self) }

    public var diagnostics: [Diagnostic] {
        (0..<clang_getNumDiagnostics(raw)).compactMap { i in
            guard let d = clang_getDiagnostic(raw, i) else { return nil }
            defer { clang_disposeDiagnostic(d) }
            let severity: Diagnostic.Severity = switch clang_getDiagnosticSeverity(d) {
            case CXDiagnostic_Note: .note
            case CXDiagnostic_Warning: .warning
            case CXDiagnostic_Error: .error
            case CXDiagnostic_Fatal: .fatal
            default: .ignored
            }
            let location = clang_getDiagnosticLocation(d)
            return Diagnostic(severity: severity, message: String(consuming: clang_getDiagnosticSpelling(d)),
                              location: SourceSpan(clang_getRange(location, location)))
        }
    }

    /// The tokens inside a cursor's extent.
    public func tokens(in cursor: Cursor) -> [Token] {
        var tokens: UnsafeMutablePointer<CXToken>?
        var count: UInt32 = 0
        clang_tokenize(raw, clang_getCursorExtent(cursor.raw), &tokens, &count)
        guard let tokens else { return [] }
        defer { clang_disposeTokens(raw, tokens, count) }
        return (0..<Int(count)).map { i in
            let t = tokens[i]
            let kind: Token.Kind = switch clang_getTokenKind(t) {
            case CXToken_Punctuation: .punctuation
            case CXToken_Keyword: .keyword
            case CXToken_Identifier: .identifier
            case CXToken_Literal: .literal
            default: .comment
            }
            return Token(kind: kind, spelling: String(consuming: clang_getTokenSpelling(raw, t)),
                         extent: SourceSpan(clang_getTokenExtent(raw, t)))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
