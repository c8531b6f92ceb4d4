import Engine
import Foundation
import LanguageServer
import Testing
import TestSupport

/// Diagnostics are published from an analysis that looks only for the task's key changes (and checks the rules);
/// it must say exactly what the complete analysis says about them.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct AnalysisScopeTests {
    @Test("the diagnostics scope agrees with the complete analysis", arguments: [(3, 3), (3, 4), (9, 10), (18, 19), (18, 12)])
    func diagnosticsScope(task: Int, record: Int) throws {
        let context = try CarryOverTests.context(task)
        let text = try String(contentsOf: Corpus.record(record), encoding: .utf8)
        let document = OpenDocument(uri: "file:///workspace/train_gpt2.py", languageID: "python", version: 1, text: text)
        let complete = DocumentAnalysis.analyze(document, context: context, contextProblem: nil)
        let partial = DocumentAnalysis.analyze(document, context: context, contextProblem: nil, scope: .diagnostics)
        #expect(complete.complete && !partial.complete)
        #expect(partial.missingKeyChanges == complete.missingKeyChanges)
        #expect(partial.findings == complete.findings)
        let keyChanges = Set(context.task.keyChanges.map(\.id))
        #expect(partial.detections == complete.detections.filter { keyChanges.contains($0.id) })
        #expect(complete.detections.count > partial.detections.count)
        // Completing the partial analysis (as the server does when a lens asks after diagnostics) gives the
        // complete one.
        let completed = DocumentAnalysis.completing(partial, document)
        #expect(completed.complete)
        #expect(completed.detections == complete.detections)
        #expect(completed.techniques.count == complete.techniques.count)
        #expect(completed.missingKeyChanges == complete.missingKeyChanges)
        #expect(completed.findings == complete.findings)
        #expect(completed.problems == complete.problems)
    }
}
