import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Detection on the reference records: each task's key innovations are present in its reference record
/// (record N+1) and absent from its base (record N), so `introduced(reference) = present(reference) -
/// present(base)` covers every key change.
enum RecordFacts {
    static func detected(_ record: Int) throws -> Set<String> {
        let bytes = Array(try Data(contentsOf: Corpus.record(record)))
        let facts = try PythonFacts(file: SourceFile(path: "record_\(record)/train_gpt2.py", language: .python, bytes: bytes))
        return Set(Classifier.classify([facts]).map(\.id))
    }
}

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct RecordDetectionTests {
    static let tasks = CatalogueData.shared.tasks.filter { !$0.emptyCodeDiff }.map(\.task)

    @Test(arguments: tasks)
    func referenceIntroducesTheKeyChanges(task number: Int) throws {
        let task = try #require(CatalogueData.shared.task(number))
        let base = try RecordFacts.detected(task.baseRecord)
        let reference = try RecordFacts.detected(task.referenceRecord)
        for change in task.keyChanges where CatalogueData.shared.innovation(change.id)?.detectable == true {
            #expect(reference.contains(change.id), "task \(number): \(change.id) not detected in record \(task.referenceRecord)")
            #expect(!base.contains(change.id), "task \(number): \(change.id) already detected in base record \(task.baseRecord)")
        }
    }
}
