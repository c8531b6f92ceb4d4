import Foundation

/// A submission found on disk: a folder with a `train_gpt2.py`, the other source files beside it, and its run
/// log or `results.json` if any.
public struct SubmissionCandidate: Sendable, Equatable {
    /// The folder's path relative to the batch root (`agent_a/3` for version 3 of a run).
    public var name: String
    public var directory: String
    public var task: Int
    /// Source files and run files, sorted.
    public var files: [String]
}

public enum DiscoveryError: Error, CustomStringConvertible {
    case notADirectory(String)
    case invalidManifest(String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path): "\(path): not a folder"
        case let .invalidManifest(path, reason): "\(path): not a valid manifest: \(reason)"
        }
    }
}

public enum SubmissionDiscovery {
    static let sourceExtensions: Set<String> = ["py", "cu", "cuh"]
    static let runNames: Set<String> = ["results.json"]
    static let maxDepth = 5

    /// Every folder under `root` (itself included, at most `maxDepth` deep) that holds a `train_gpt2.py`. This
    /// covers one folder per submission as well as run outputs with numbered workspace versions
    /// (`run/0/train_gpt2.py`, `run/1/train_gpt2.py`, ...), each version being a submission.
    public static func discover(root: String, task: Int) throws(DiscoveryError) -> [SubmissionCandidate] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(root)
        }
        var found: [SubmissionCandidate] = []
        var stack: [(String, Int)] = [(root, 0)]
        while let (directory, depth) = stack.popLast() {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            if names.contains("train_gpt2.py") {
                let relative = directory == root ? "." : String(directory.dropFirst(root.count).drop { $0 == "/" })
                found.append(SubmissionCandidate(name: relative, directory: directory, task: task, files: files(in: directory, names)))
            }
            guard depth < maxDepth else { continue }
            for name in names.reversed() where !name.hasPrefix(".") {
                let path = "\(directory)/\(name)"
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { stack.append((path, depth + 1)) }
            }
        }
        return found.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
    }

    /// A submission folder's files: its source files, its run log or `results.json`, and the source files of the
    /// packages inside it (`model/gpt.py`), down to `maxDepth`; a subfolder holding its own `train_gpt2.py` is
    /// another submission (a numbered workspace version) and is left out, as are hidden folders and caches.
    public static func files(in directory: String, _ names: [String]) -> [String] {
        var result = names.filter { name in
            let ext = (name as NSString).pathExtension.lowercased()
            return sourceExtensions.contains(ext) || runNames.contains(name) || ext == "txt" || ext == "log"
        }.map { "\(directory)/\($0)" }
        var stack = names.reversed().map { ("\(directory)/\($0)", $0, 1) }
        while let (path, name, depth) = stack.popLast() {
            var isDirectory: ObjCBool = false
            guard depth <= maxDepth, !name.hasPrefix("."), name != "__pycache__",
                  FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let inner = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            guard !inner.contains("train_gpt2.py") else { continue }
            for entry in inner {
                let ext = (entry as NSString).pathExtension.lowercased()
                if sourceExtensions.contains(ext) { result.append("\(path)/\(entry)") }
            }
            stack += inner.reversed().map { ("\(path)/\($0)", $0, depth + 1) }
        }
        return result
    }

    /// The files of a submission given as a folder (`srlens score --task N DIR`), as `discover` reads it.
    public static func files(of directory: String) -> [String] {
        files(in: directory, ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted())
    }

    /// Paths given for one submission, each folder among them standing for its files (`files(of:)`).
    public static func expandingFolders(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            return files(of: path)
        }
    }

    /// A manifest maps submissions to tasks: `{"submissions": [{"path": "a", "task": 4}, ...]}` with paths
    /// relative to the manifest.
    public static func manifest(_ path: String) throws(DiscoveryError) -> [SubmissionCandidate] {
        struct Manifest: Decodable {
            struct Entry: Decodable { let path: String; let task: Int; let name: String? }
            let submissions: [Entry]
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidManifest(path, reason: "cannot read it") }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw .invalidManifest(path, reason: "\(error)")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try manifest.submissions.map { entry throws(DiscoveryError) in
            let directory = entry.path.hasPrefix("/") ? entry.path : "\(base)/\(entry.path)"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            guard names.contains("train_gpt2.py") || names.contains(where: { $0.hasSuffix(".py") }) else {
                throw .invalidManifest(path, reason: "\(entry.path) has no Python file")
            }
            return SubmissionCandidate(name: entry.name ?? entry.path, directory: directory, task: entry.task, files: files(in: directory, names))
        }
    }
}
