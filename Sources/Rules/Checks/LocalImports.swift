import Catalogue
import TreeSitterKit

/// `local-import`: the submission imports no module of its own (only `train_gpt2.py` may change): an import
/// that the base does not have, of a module that is a file beside the submission or a relative import, is an
/// error; of a module that is neither a standard library module nor a known package, a warning.
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
        facts.nodes.compactMap { node -> (String, Node, Bool)? in
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

    func check(_ context: RuleContext) -> [Finding] {
        let inBase = Set(modules(context.base).map(\.0))
        var findings: [Finding] = []
        for (module, node, relative) in modules(context.submission) where !inBase.contains(module) {
            if relative || context.siblingModules.contains(module) {
                findings.append(Finding(rule: id, severity: .error, message: "the submission imports its own module `\(module)`",
                                        submission: [context.submission.evidence(node, "local import")]))
            } else if !Self.known.contains(module) {
                findings.append(Finding(rule: id, severity: .warning,
                                        message: "the submission imports `\(module)`, which is neither standard nor a known package: is it a local module?",
                                        submission: [context.submission.evidence(node, "new import")]))
            }
        }
        return findings
    }
}
