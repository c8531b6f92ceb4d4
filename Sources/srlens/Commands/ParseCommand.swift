import ArgumentParser
import Engine
import Foundation
import Parsing
import SourceModel

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse Python and CUDA files (and the scripts inside run logs) and list what they contain.",
        discussion: """
        For each file: its language, size, syntax errors with positions, classes, functions, GPU kernels \
        (CUDA and Triton, including CUDA held in Python strings) and kernel launches. A `.txt` or `.log` run \
        log is reduced to the training script printed at its top. Exit status: 0 when every file parsed \
        without syntax errors, 1 otherwise; other files are still reported.
        """)

    @Argument(help: "Files to parse (.py, .cu, .cuh, .cpp, .h, or a .txt/.log run log).")
    var files: [String]

    @Flag(help: "Write the srlens.parse/1 JSON document (docs/json-parse.md) instead of text.")
    var json = false

    @Flag(help: "Also print tree-sitter's S-expression of each file.")
    var sexp = false

    @Flag(name: .customLong("no-clang"), help: "Skip libclang: CUDA is parsed with tree-sitter only.")
    var noClang = false

    @Option(help: "Refuse files larger than this many bytes.")
    var maxBytes: Int = 16 << 20

    func run() throws {
        let service = ParseService(loader: SourceLoader(maxBytes: maxBytes), options: ParseOptions(semanticCUDA: !noClang),
                                   keepSExpression: sexp && !json)
        let reports = service.parse(paths: files)
        if json {
            try JSONOutput.write(ParseDocument(reports: reports))
        } else {
            let terminal = Terminal.standardOutput
            for report in reports {
                switch report {
                case let .parsed(outline, origin, sExpression):
                    print(ParseText.render(outline, origin: origin, terminal: terminal))
                    if let sExpression { print(sExpression) }
                case let .failed(_, message):
                    printError("srlens: error: \(message)")
                }
            }
        }
        if !reports.allSatisfy(\.isClean) { throw ExitCode(1) }
    }
}
