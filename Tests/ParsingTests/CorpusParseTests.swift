import Engine
import Foundation
import Parsing
import RunLogs
import SourceModel
import Testing
import TestSupport

/// Every reference record and every script printed in a corpus log parses without a syntax error.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CorpusParseTests {
    @Test(arguments: Corpus.recordNumbers)
    func recordParsesCleanly(_ n: Int) throws {
        let file = try SourceLoader().load(Corpus.record(n).path).get()
        let parsed = try SourceParser(options: ParseOptions(semanticCUDA: false)).parse(file)
        let outline = parsed.outline
        #expect(outline.syntaxErrors.isEmpty, "record \(n): \(outline.syntaxErrors.prefix(3))")
        #expect(outline.nodeCount > 3_000)
        // The records nest at most 24 levels deep: far below the parser's limit on nesting.
        #expect(parsed.tree.depth < 30, "record \(n) nests \(parsed.tree.depth) levels deep")
        #expect(outline.classes.contains { $0.name == "GPT" })
        #expect(outline.functions.contains { $0.qualifiedName == "GPT.forward" })
    }

    @Test func scriptsInsideTextLogsParseCleanly() throws {
        let logs = Corpus.logs.filter { $0.pathExtension == "txt" }
        #expect(logs.count == 5)
        for log in logs {
            let file = try SourceLoader().load(log.path).get()
            guard case let .logScript(_, offset, _) = file.origin else {
                Issue.record("\(log.lastPathComponent) was not read as a log")
                continue
            }
            let text = file.text
            #expect(text.hasPrefix("import os\nimport sys\n"), "\(log.lastPathComponent) starts at byte \(offset)")
            let logBytes = try Data(contentsOf: log)
            let end = offset + file.bytes.count
            #expect(logBytes[end...].starts(with: Array(repeating: UInt8(ascii: "="), count: 100)),
                    "the script ends where the log's separator line begins")
            let outline = try SourceParser(options: ParseOptions(semanticCUDA: false)).parse(file).outline
            #expect(outline.syntaxErrors.isEmpty, "\(log.lastPathComponent): \(outline.syntaxErrors.prefix(3))")
        }
    }

    @Test func llmcLogsHaveNoScript() {
        for log in Corpus.logs where log.pathExtension == "log" {
            guard case let .failure(error) = SourceLoader().load(log.path) else {
                Issue.record("\(log.lastPathComponent) should have no script")
                continue
            }
            #expect(error.description.contains("does not embed a training script"))
        }
    }

    @Test func tritonKernelsOfTheModernRecordAreListed() throws {
        let log = try #require(Corpus.logs.first { $0.path.contains("FusedLinearReLUSquare") })
        let outline = try SourceParser().parse(try SourceLoader().load(log.path).get()).outline
        let names = Set(outline.kernels.filter { $0.kind == .tritonKernel }.map(\.name))
        #expect(names.isSuperset(of: ["XXT_kernel", "ba_plus_cAA_kernel", "linear_relu_square_kernel"]))
        let relu = try #require(outline.kernels.first { $0.name == "linear_relu_square_kernel" })
        #expect(!relu.parameters.contains("#"), "comments are not parameters")
    }
}
