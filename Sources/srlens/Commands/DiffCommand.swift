import ArgumentParser
import Engine
import Parsing
import Foundation
import SemanticDiff

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Semantic diff of two Python or CUDA files: entities added, removed, renamed, moved, modified.",
        discussion: """
        The files are parsed, normalized (import aliases resolved, equivalent idioms in one form, constants \
        folded, known calls with keyword arguments) and matched with GumTree; the edit script is summarized \
        per class, function, method, hyperparameter, decorator and import. Exit status: 0 when there is no \
        semantic change, 1 when there are changes, 2 on an error.
        """)

    @Argument(help: "The old file (.py, .cu, .cuh, or a run log whose script is used).")
    var old: String
    @Argument(help: "The new file.")
    var new: String

    @Flag(help: "Write the srlens.diff/1 JSON document (docs/json-diff.md).")
    var json = false

    @Flag(name: .customLong("edit-script"), help: "Also list the raw edit actions (insert, delete, update, move).")
    var editScript = false

    @Option(help: """
        Normalizations to apply, comma-separated, from: aliases, idioms, keywords, constants, identifiers; \
        or 'standard' (all but identifiers), 'all', 'none'.
        """)
    var normalize = "standard"

    @Option(help: "Refuse files larger than this many bytes.")
    var maxBytes: Int = 16 << 20

    func run() throws {
        let options = try Self.parseNormalization(normalize)
        let service = DiffService(loader: SourceLoader(maxBytes: maxBytes), normalization: options)
        switch service.diff(oldPath: old, newPath: new) {
        case .failure(let error):
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        case .success(let result):
            if json {
                try JSONOutput.write(DiffDocument(result, normalization: options, includeEditScript: editScript))
            } else {
                print(DiffText.render(result, terminal: .standardOutput, editScript: editScript))
            }
            if !result.changes.isEmpty { throw ExitCode(1) }
        }
    }

    static func parseNormalization(_ text: String) throws -> NormalizationOptions {
        switch text {
        case "standard": return .standard
        case "all": return .all
        case "none", "": return .none
        default:
            var options = NormalizationOptions.none
            for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let option = NormalizationOptions.names.first(where: { $0.0 == name })?.1 else {
                    throw ValidationError("unknown normalization '\(name)'; known: \(NormalizationOptions.names.map(\.0).joined(separator: ", ")), standard, all, none")
                }
                options.insert(option)
            }
            return options
        }
    }
}
