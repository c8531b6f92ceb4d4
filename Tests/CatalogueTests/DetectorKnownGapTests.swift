import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Rewrites the detectors still get wrong (`Tests/Fixtures/known-gaps/<id>/`, see its README), run as known issues:
/// a file that starts to pass means its gap is closed and it belongs with the detector's examples.
enum KnownGaps {
    static let root = Fixtures.url("known-gaps")

    /// `id/file.py` for every gap, sorted.
    static let all: [String] = {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return ids.sorted().flatMap { id -> [String] in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(id).path)) ?? []
            return files.filter { $0.hasSuffix(".py") }.sorted().map { "\(id)/\($0)" }
        }
    }()
}

@Suite struct DetectorKnownGapTests {
    @Test func thereAreGapsToTrack() {
        #expect(!KnownGaps.all.isEmpty, "Tests/Fixtures/known-gaps has no files: was the folder moved?")
    }

    @Test(arguments: KnownGaps.all)
    func gap(_ relative: String) throws {
        let id = String(relative.split(separator: "/")[0])
        let detector = try #require(DetectorRegistry.detector(id), "no detector for \(id)")
        let url = KnownGaps.root.appendingPathComponent(relative)
        let source = try Data(contentsOf: url)
        #expect(String(decoding: source, as: UTF8.self).hasPrefix("# gap: "), "\(relative) should start with `# gap: <what it does>`")
        let evidence = detector.detect(try PythonFacts(file: SourceFile(path: relative, language: .python, bytes: Array(source))))
        let positive = relative.split(separator: "/").last?.hasPrefix("pos_") == true
        withKnownIssue("\(id) is still \(positive ? "missed" : "found") in \(relative)") {
            if positive {
                #expect(!evidence.isEmpty, "\(id) should be detected")
            } else {
                #expect(evidence.isEmpty, "\(id) should not be detected")
            }
        }
    }
}
