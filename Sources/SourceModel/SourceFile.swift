/// A file's text as the analysis sees it: validated UTF-8 bytes with a line index.
///
/// `origin` says where the text came from when it is not the whole file on disk, e.g. the training script
/// printed at the top of a run log; `baseOffset` is then the byte offset of the text inside that file.
public struct SourceFile: Sendable {
    public enum Origin: Sendable, Equatable {
        case file
        /// The script printed at the top of a run log: `baseOffset` bytes and `baseLine` lines into the log.
        case logScript(logPath: String, baseOffset: Int, baseLine: Int)
    }

    public let path: String
    public let language: SourceLanguage
    public let bytes: [UInt8]
    public let origin: Origin
    public let lines: LineIndex

    public init(path: String, language: SourceLanguage, bytes: [UInt8], origin: Origin = .file) {
        self.path = path
        self.language = language
        self.bytes = bytes
        self.origin = origin
        self.lines = LineIndex(bytes: bytes)
    }

    public init(path: String, language: SourceLanguage, text: String) {
        self.init(path: path, language: language, bytes: Array(text.utf8))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public func text(in range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, bytes.count)), hi = max(lo, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}
