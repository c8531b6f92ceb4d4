import Engine
import Parsing
import SourceModel

/// The `srlens.parse/1` JSON document.
struct ParseDocument: Encodable {
    let schema = "srlens.parse/1"
    let tool = ToolInfo()
    let files: [FileEntry]

    init(reports: [ParseReport]) {
        files = reports.map { report in
            switch report {
            case let .parsed(outline, origin, _):
                return FileEntry(path: outline.path, ok: outline.syntaxErrors.isEmpty, error: nil,
                                 origin: OriginInfo(origin), outline: outline)
            case let .failed(path, message):
                return FileEntry(path: path, ok: false, error: message, origin: nil, outline: nil)
            }
        }
    }

    struct ToolInfo: Encodable {
        let name = "srlens"
        let version = SpeedrunLens.version
    }

    struct FileEntry: Encodable {
        let path: String
        let ok: Bool
        let error: String?
        let origin: OriginInfo?
        let outline: FileOutline?
    }

    struct OriginInfo: Encodable {
        let kind: String
        let logPath: String?
        let baseOffset: Int?
        let baseLine: Int?

        init(_ origin: SourceFile.Origin) {
            switch origin {
            case .file:
                kind = "file"; logPath = nil; baseOffset = nil; baseLine = nil
            case let .logScript(path, offset, line):
                kind = "log_script"; logPath = path; baseOffset = offset; baseLine = line
            }
        }
    }
}
