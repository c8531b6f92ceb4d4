import Engine
import Foundation
import LanguageServer
import Testing
import TestSupport

/// An edit that changes no code (a comment line, a trailing comment, a blank line) carries the previous version's
/// analysis over with its ranges moved, instead of analysing the document again. Whenever it does, the result
/// must be exactly what a fresh analysis of the new version gives.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CarryOverTests {
    static func context(_ task: Int) throws -> ScoreService.TaskContext {
        let records = Corpus.root.appendingPathComponent("llm-speedrunner/records").path
        return try ScoreService(configuration: try Configuration.resolve(recordsFlag: records)).context(task: task)
    }

    /// An insertion at a line and column (UTF-16, as the default client encoding).
    static func insertion(_ text: String, line: Int, character: Int) -> TextDocumentContentChangeEvent {
        let at = LSPPosition(line: line, character: character)
        return TextDocumentContentChangeEvent(range: LSPRange(start: at, end: at), text: text)
    }

    @Test("comment and blank-line edits give exactly the fresh analysis", arguments: [3, 9, 18])
    func commentEdits(task: Int) throws {
        let context = try Self.context(task)
        let text = try String(contentsOf: Corpus.record(task + 1), encoding: .utf8)
        var document = OpenDocument(uri: "file:///workspace/train_gpt2.py", languageID: "python", version: 1, text: text)
        var analysis = DocumentAnalysis.analyze(document, context: context, contextProblem: nil)
        #expect(!analysis.detections.isEmpty)
        var random = SeededRandom(seed: UInt64(task))
        var carried = 0
        for version in 2...16 {
            let lines = String(decoding: document.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line = Int.random(in: 0..<(lines.count - 1), using: &random)
            let change: TextDocumentContentChangeEvent
            let changesCode = version == 9
            switch version % 3 {
            case _ where changesCode:
                change = Self.insertion("unused_setting = \(version)\n", line: 0, character: 0)
            case 0:
                change = Self.insertion("# note \(version)\n", line: line, character: 0)
            case 1:
                change = Self.insertion("  # trailing \(version)", line: line, character: lines[line].utf16.count)
            default:
                change = Self.insertion("\n", line: line, character: 0)
            }
            try document.apply([change], version: version, encoding: .utf16)
            let fresh = DocumentAnalysis.analyze(document, context: context, contextProblem: nil)
            let previous = try #require(document.previous)
            if let over = DocumentAnalysis.carriedOver(analysis, from: previous.tree, to: document) {
                #expect(!changesCode, "a code change must not carry the analysis over")
                carried += 1
                #expect(over.version == version)
                #expect(over.detections == fresh.detections, "version \(version): \(change.text.debugDescription) at line \(line)")
                #expect(over.findings == fresh.findings, "version \(version)")
                #expect(over.missingKeyChanges == fresh.missingKeyChanges)
                #expect(over.problems == fresh.problems)
            }
            analysis = fresh
        }
        // Most edits land outside strings and carry over; those inside a multi-line string change code.
        #expect(carried >= 9, "\(carried) of 14 comment edits carried over")
    }
}
