import Foundation

/// A folder of reference records laid out as `record_N/train_gpt2.py` and `record_N/results.json`
/// (`../shared/corpus/llm-speedrunner/records`, or what `srlens records import` writes).
public struct RecordSet: Sendable {
    public let root: String

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case missingFolder(String, origin: String)
        case missingFiles(root: String, missing: [String])

        public var description: String {
            switch self {
            case let .missingFolder(path, origin):
                "no reference records at \(path) (from \(origin)); import them with `srlens records import PATH` or point --records / SRLENS_RECORDS at a folder of record_N/ folders"
            case let .missingFiles(root, missing):
                "the reference records at \(root) are incomplete: missing \(missing.prefix(8).joined(separator: ", "))\(missing.count > 8 ? " and \(missing.count - 8) more" : "")"
            }
        }
    }

    public init(root: String) { self.root = root }

    public func script(_ record: Int) -> String { "\(root)/record_\(record)/train_gpt2.py" }
    public func results(_ record: Int) -> String { "\(root)/record_\(record)/results.json" }

    /// The record numbers present (a `record_N` folder with a training script).
    public var available: [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("record_"), let n = Int(name.dropFirst(7)) else { return nil }
            return FileManager.default.fileExists(atPath: script(n)) ? n : nil
        }.sorted()
    }

    /// Checks that the given records are complete, naming every missing file.
    public func require(_ records: [Int], origin: String, needResults: Bool = false) throws(Failure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingFolder(root, origin: origin)
        }
        var missing: [String] = []
        for n in records {
            if !FileManager.default.fileExists(atPath: script(n)) { missing.append("record_\(n)/train_gpt2.py") }
            if needResults && !FileManager.default.fileExists(atPath: results(n)) { missing.append("record_\(n)/results.json") }
        }
        if !missing.isEmpty { throw .missingFiles(root: root, missing: missing) }
    }
}
