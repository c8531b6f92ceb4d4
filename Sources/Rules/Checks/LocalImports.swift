import Catalogue
import TreeSitterKit

/// `local-import`: the submission imports no module of its own (only `train_gpt2.py` may change): an import
/// that the base does not have (a statement anywhere, or `importlib.import_module` / `__import__`), of a
/// module that is a file beside the submission or a relative import, is an error, and so is a string naming
/// one of the submission's other files (a CUDA source given to `torch.utils.cpp_extension.load`); an import of
/// a module that is neither a standard library module nor a known package is a warning (it may be a local
/// module the check was not given).
struct LocalImports: Rule {
    let id = "local-import"
    let severity = Severity.error
    let summary = "Change only train_gpt2.py: import no new local module."

    static let known: Set<String> = [
        "torch", "numpy", "triton", "math", "os", "sys", "time", "uuid", "glob", "json", "re", "dataclasses", "pathlib",
        "functools", "itertools", "collections", "contextlib", "typing", "subprocess", "random", "copy", "argparse",
        "pickle", "tiktoken", "datetime", "logging", "warnings", "socket", "threading", "queue", "io", "struct",
        "inspect", "gc", "shutil", "tempfile", "string", "abc", "enum", "operator", "heapq", "bisect", "hashlib",
        "einops", "transformers", "datasets", "huggingface_hub", "tqdm", "wandb", "packaging", "platform", "signal",
        "traceback", "statistics", "weakref", "types", "textwrap", "torchao", "flash_attn", "apex", "cupy", "numba",
        "safetensors", "psutil", "importlib", "multiprocessing", "concurrent", "zipfile", "csv", "errno", "base64",
    ]

    func modules(_ facts: PythonFacts) -> [(String, Node, Bool)] {
        facts.nodes(ofType: ["import_statement", "import_from_statement"]).compactMap { node -> (String, Node, Bool)? in
            switch node.type {
            case "import_statement":
                guard let name = node.namedChildren.first.map({ ($0.child(byField: "name") ?? $0).text }) else { return nil }
                return (String(name.split(separator: ".").first ?? ""), node, false)
            case "import_from_statement":
                guard let module = node.child(byField: "module_name") else { return nil }
                if module.type == "relative_import" { return (module.text, node, true) }
                return (String(module.text.split(separator: ".").first ?? ""), node, false)
            default:
                return nil
            }
        }
    }

    /// `importlib.import_module("name")` and `__import__("name")`, and strings that name a file the
    /// submission brings (`load(sources=["kernel.cu"])`, `open("helper.py")`).
    func dynamicModules(_ facts: PythonFacts) -> [(String, Node, Bool)] {
        facts.calls.compactMap { call -> (String, Node, Bool)? in
            guard ["importlib.import_module", "__import__"].contains(call.callee),
                  let name = call.positional.first.flatMap(facts.string(of:)) else { return nil }
            return name.hasPrefix(".") ? (name, call.node, true) : (String(name.split(separator: ".").first ?? ""), call.node, false)
        }
    }

    static let sourceExtensions: Set<String> = ["py", "cu", "cuh", "cpp", "cc", "c", "h", "hpp", "so", "ptx", "cubin"]

    func fileReferences(_ facts: PythonFacts, siblings: Set<String>) -> [(String, Node)] {
        guard !siblings.isEmpty else { return [] }
        return facts.nodes(ofType: "string").compactMap { node -> (String, Node)? in
            guard let value = SettingsTable.stringValue(node) else { return nil }
            let file = String(value.split(separator: "/").last ?? "")
            let parts = file.split(separator: ".")
            guard parts.count >= 2, let ext = parts.last, Self.sourceExtensions.contains(String(ext)),
                  siblings.contains(parts.dropLast().joined(separator: ".")) else { return nil }
            return (file, node)
        }
    }

    func check(_ context: RuleContext) -> [Finding] {
        let inBase = Set((modules(context.base) + dynamicModules(context.base)).map(\.0))
        var findings: [Finding] = []
        let baseFiles = Set(fileReferences(context.base, siblings: context.siblingModules).map(\.0))
        // Each file as written: a program joined from modules no longer holds the imports that join them.
        for facts in context.files {
            for (file, node) in fileReferences(facts, siblings: context.siblingModules) where !baseFiles.contains(file) {
                findings.append(Finding(rule: id, severity: .error, message: "the submission uses its own file `\(file)`",
                                        submission: [facts.evidence(node, "file of the submission")]))
            }
            for (module, node, relative) in modules(facts) + dynamicModules(facts) where !inBase.contains(module) {
                if relative || context.siblingModules.contains(module) {
                    findings.append(Finding(rule: id, severity: .error, message: "the submission imports its own module `\(module)`",
                                            submission: [facts.evidence(node, "local import")]))
                } else if !Self.known.contains(module) {
                    findings.append(Finding(rule: id, severity: .warning,
                                            message: "the submission imports `\(module)`, which is neither standard nor a known package: is it a local module?",
                                            submission: [facts.evidence(node, "new import")]))
                }
            }
        }
        return findings
    }
}
