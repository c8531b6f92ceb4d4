import Foundation
import Testing

/// Locations of test inputs: the project's own fixtures and the shared corpus beside the checkout.
public enum Fixtures {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/<relative>`.
    public static func url(_ relative: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }
}

/// The benchmark corpus in `../shared/corpus`. Tests that need it skip with a message when it is absent.
public enum Corpus {
    public static let root: URL = Fixtures.repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")

    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("llm-speedrunner/records").path)
    }

    /// Shown when corpus tests are skipped.
    public static let skipMessage: Comment = "../shared/corpus is absent: corpus tests skipped"

    public static func record(_ n: Int) -> URL {
        root.appendingPathComponent("llm-speedrunner/records/record_\(n)/train_gpt2.py")
    }

    public static let recordNumbers = Array(1...21)

    /// The `.txt` and `.log` training logs under `modded-nanogpt-logs/`.
    public static var logs: [URL] {
        let dir = root.appendingPathComponent("modded-nanogpt-logs")
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { ["txt", "log"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }
}
