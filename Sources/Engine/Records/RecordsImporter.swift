import Foundation

/// Copies reference records from a checkout of facebookresearch/llm-speedrunner
/// (`workspace_templates/nanogpt_speedrun/record_N/`) or from any folder of `record_N/` folders into a
/// records folder srlens reads (by default under the data directory).
public struct RecordsImporter {
    public struct Report: Sendable, Equatable {
        public var source: String
        public var destination: String
        public var imported: [Int]
        /// Records whose results.json is missing (their times cannot be used).
        public var withoutResults: [Int]
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case noRecords(String)
        case incomplete(String, missing: [String])
        case copyFailed(String, reason: String)

        public var description: String {
            switch self {
            case .notFound(let path): "\(path): no such folder"
            case .noRecords(let path):
                "\(path): no record_N/train_gpt2.py found (expected a checkout of llm-speedrunner with workspace_templates/nanogpt_speedrun/, or a folder of record_N/ folders)"
            case let .incomplete(path, missing):
                "\(path): the records are incomplete: missing \(missing.joined(separator: ", "))"
            case let .copyFailed(path, reason): "could not write \(path): \(reason)"
            }
        }
    }

    /// The folder that holds the `record_N` folders inside `path`.
    public static func recordsFolder(in path: String) throws(Failure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notFound(path)
        }
        for candidate in [path, "\(path)/workspace_templates/nanogpt_speedrun", "\(path)/records", "\(path)/llm-speedrunner/records"] {
            if !RecordSet(root: candidate).available.isEmpty { return candidate }
        }
        throw .noRecords(path)
    }

    /// Imports every record found; records 1...21 must all be there (a partial set is refused, naming the gaps).
    public static func importRecords(from path: String, to destination: String, expected: ClosedRange<Int> = 1...21) throws(Failure) -> Report {
        let source = try recordsFolder(in: path)
        let set = RecordSet(root: source)
        let available = Set(set.available)
        let missing = expected.filter { !available.contains($0) }.map { "record_\($0)/train_gpt2.py" }
        if !missing.isEmpty { throw .incomplete(source, missing: missing) }
        var withoutResults: [Int] = []
        let manager = FileManager.default
        for n in expected {
            let folder = "\(destination)/record_\(n)"
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for name in ["train_gpt2.py", "results.json"] {
                    let from = "\(source)/record_\(n)/\(name)", to = "\(folder)/\(name)"
                    guard manager.fileExists(atPath: from) else {
                        if name == "results.json" { withoutResults.append(n) }
                        continue
                    }
                    if manager.fileExists(atPath: to) { try manager.removeItem(atPath: to) }
                    try manager.copyItem(atPath: from, toPath: to)
                }
            } catch {
                throw .copyFailed(folder, reason: "\(error)")
            }
        }
        return Report(source: source, destination: destination, imported: Array(expected), withoutResults: withoutResults)
    }
}
