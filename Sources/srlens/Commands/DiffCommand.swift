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
            let techniques = kernelTechniques(result)
            if json {
                var document = DiffDocument(result, normalization: options, includeEditScript: editScript)
                document.kernelTechniques = techniques
                try JSONOutput.write(document)
            } else {
                print(DiffText.render(result, terminal: .standardOutput, editScript: editScript))
                if let techniques, !techniques.isEmpty {
                    let t = Terminal.standardOutput
                    print("")
                    print(t.bold("CUDA techniques per kernel"))
                    for change in techniques {
                        let added = change.added.map { t.green("+" + $0) }, removed = change.removed.map { t.red("-" + $0) }
                        print("  \(change.kernel) (\(change.status)): " + (added + removed).joined(separator: " "))
                    }
                }
            }
            if !result.changes.isEmpty || techniques?.isEmpty == false { throw ExitCode(1) }
        }
    }

    /// Techniques gained or lost per kernel, when either side holds CUDA (a file, or CUDA in Python strings).
    func kernelTechniques(_ result: SemanticDiffResult) -> [KernelTechniqueChange]? {
        let loader = SourceLoader(maxBytes: maxBytes)
        guard case let .success(a) = loader.load(old), case let .success(b) = loader.load(new) else { return nil }
        let service = TechniqueService(loader: loader)
        guard let before = try? service.classify(a), let after = try? service.classify(b),
              !(before.isEmpty && after.isEmpty) else { return nil }
        return TechniqueDiff.compare(old: before, new: after)
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
