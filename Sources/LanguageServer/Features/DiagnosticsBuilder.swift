import Catalogue
import Rules
import SourceModel

/// The diagnostics pushed for a document: rule findings at their ranges, one information diagnostic per key
/// change of the task the document does not implement, and a note when no task is configured.
enum DiagnosticsBuilder {
    static let source = "srlens"

    static func diagnostics(_ analysis: DocumentAnalysis, document: OpenDocument, encoding: PositionEncoding,
                            taskConfigured: Bool) -> [Diagnostic] {
        guard document.language == .python else { return [] }
        let top = LSPRange(start: LSPPosition(line: 0, character: 0), end: LSPPosition(line: 0, character: 0))
        var result: [Diagnostic] = []
        if !taskConfigured {
            result.append(Diagnostic(range: top, severity: .information, code: "no-task", source: source,
                                     message: "srlens: no task configured (set \"task\" in .srlens.json or in the client's "
                                         + "initializationOptions); key changes and rules are not checked"))
        }
        for problem in analysis.problems {
            result.append(Diagnostic(range: top, severity: .warning, code: "analysis", source: source, message: "srlens: \(problem)"))
        }
        for change in analysis.missingKeyChanges {
            let title = CatalogueData.shared.innovation(change.id)?.title ?? change.id
            result.append(Diagnostic(range: top, severity: .information, code: change.id, source: source,
                                     message: "missing key change: \(change.id) (\(change.salience.rawValue)): \(title)"))
        }
        for finding in analysis.findings {
            let range = finding.submission.first.map { encoding.range($0.range.startByte..<$0.range.endByte, in: document.lines) } ?? top
            result.append(Diagnostic(range: range, severity: finding.severity == .error ? .error : .warning, code: finding.rule,
                                     source: source, message: finding.message))
        }
        return result
    }
}
