import Engine
import Foundation
import Rules
import SourceModel
import Testing
import TestSupport

/// The reference records obey the rules: record N+1 checked against base N has no error-level finding, except
/// where the records themselves changed what the rules protect (docs/rules.md lists those cases).
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct RecordRulesTests {
    static func file(_ record: Int) throws -> SourceFile {
        SourceFile(path: "record_\(record)/train_gpt2.py", language: .python, bytes: Array(try Data(contentsOf: Corpus.record(record))))
    }

    /// Tasks whose reference record changes something a rule protects, with the rules it trips.
    static let rulesChanged: [Int: Set<String>] = [:]

    @Test(arguments: Array(1...20))
    func referenceRecordPassesAgainstItsBase(task: Int) throws {
        let report = try CheckService().check(base: try Self.file(task), submission: try Self.file(task + 1))
        let errors = report.findings.filter { $0.severity == .error && !(Self.rulesChanged[task] ?? []).contains($0.rule) }
        #expect(errors.isEmpty, "task \(task): \(errors.map { "[\($0.rule)] \($0.message)" })")
    }
}
