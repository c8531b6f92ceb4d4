import Foundation
import RunLogs
import SourceModel

/// Reads files from disk into validated `SourceFile`s: size-capped, UTF-8 only, no binaries. A run log
/// (`.txt`, `.log`) yields the training script printed inside it.
public struct SourceLoader: Sendable {
    /// Files larger than this are refused before they are read (16 MiB: ten times the largest script seen).
    public var maxBytes: Int
    /// Texts that stand in for files on disk, by path: the unsaved buffers of an editor.
    public var overlays: [String: [UInt8]]

    public init(maxBytes: Int = 16 << 20, overlays: [String: [UInt8]] = [:]) {
        self.maxBytes = maxBytes
        self.overlays = overlays
    }

    public func load(_ path: String) -> Result<SourceFile, LoadError> {
        if let overlay = overlays[path], let language = SourceLanguage(path: path) {
            if case let .failure(e) = validate(overlay, path: path) { return .failure(e) }
            return .success(SourceFile(path: path, language: language, bytes: overlay))
        }
        let url = URL(fileURLWithPath: path)
        let extensionName = url.pathExtension.lowercased()
        let isLog = ["txt", "log"].contains(extensionName)
        let language = SourceLanguage(path: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .failure(.notFound(path)) }
        if isDirectory.boolValue { return .failure(.isDirectory(path)) }
        guard language != nil || isLog else { return .failure(.unsupportedType(path)) }

        let bytes: [UInt8]
        switch read(path) {
        case let .success(b): bytes = b
        case let .failure(e): return .failure(e)
        }
        if case let .failure(e) = validate(bytes, path: path) { return .failure(e) }

        if let language { return .success(SourceFile(path: path, language: language, bytes: bytes)) }
        switch EmbeddedScript.range(in: bytes) {
        case let .success(range):
            return .success(SourceFile(path: path, language: .python, bytes: Array(bytes[range]),
                                       origin: .logScript(logPath: path, baseOffset: range.lowerBound,
                                                         baseLine: bytes[..<range.lowerBound].count { $0 == 0x0A })))
        case let .failure(reason):
            return .failure(.noScriptInLog(path, reason: reason.description))
        }
    }

    /// Validates text given in memory (an editor buffer, a request body) the same way as a file.
    public func validate(_ bytes: [UInt8], path: String) -> Result<Void, LoadError> {
        if bytes.isEmpty { return .failure(.empty(path)) }
        if let nul = bytes.firstIndex(of: 0) { return .failure(.binary(path, offset: nul)) }
        if let bad = SourceLoader.firstInvalidUTF8(bytes) {
            let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(.invalidUTF8(path, offset: bad, line: line))
        }
        return .success(())
    }

    private func read(_ path: String) -> Result<[UInt8], LoadError> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.unreadable(path, reason: "permission denied or not a regular file"))
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            if size > UInt64(maxBytes) { return .failure(.tooLarge(path, bytes: Int(size), limit: maxBytes)) }
            try handle.seek(toOffset: 0)
            // Read one byte past the limit: a file that grew after the size check is still refused.
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            if data.count > maxBytes { return .failure(.tooLarge(path, bytes: data.count, limit: maxBytes)) }
            return .success(Array(data))
        } catch {
            return .failure(.unreadable(path, reason: error.localizedDescription))
        }
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            let lowest: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; lowest = 0x80
            case 0xE0...0xEF: length = 3; lowest = 0x800
            case 0xF0...0xF4: length = 4; lowest = 0x10000
            default: return i
            }
            guard i + length <= n else { return i }
            var scalar = UInt32(b) & (0xFF >> (length + 1))
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = (scalar << 6) | UInt32(c & 0x3F)
            }
            if scalar < lowest || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }
}
