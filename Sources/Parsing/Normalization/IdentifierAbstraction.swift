import SourceModel

/// Renames local names to their order of first use inside each function (`$1`, `$2`, ...), so two functions
/// that differ only by a consistent renaming of their locals have equal subtrees. Names that mean something
/// beyond the function (entities of the file, imports, builtins, field and keyword names) are kept.
public enum IdentifierAbstraction {
    public static let pythonBuiltins: Set<String> = [
        "self", "cls", "super", "len", "range", "print", "int", "float", "str", "bool", "list", "dict", "tuple", "set",
        "min", "max", "sum", "abs", "zip", "enumerate", "isinstance", "getattr", "setattr", "hasattr", "open", "iter",
        "next", "map", "filter", "sorted", "reversed", "any", "all", "round", "type", "object", "Exception", "None",
    ]

    public static func apply(_ tree: SyntaxTree, keep: Set<String>) -> SyntaxTree {
        guard tree.count > 0 else { return tree }
        var kept = keep
        for node in 0..<tree.count {
            guard let info = tree.entity[node], info.kind != .module else { continue }
            for part in info.name.split(separator: ".") { kept.insert(String(part)) }
        }
        // The function each node belongs to (nil at module and class level).
        var scope = [Int?](repeating: nil, count: tree.count)
        var numbering: [Int: [String: Int]] = [:]
        var labels = tree.label
        for node in 0..<tree.count {
            let parentScope = tree.parentOf(node).flatMap { scope[$0] }
            let kind = tree.entity[node]?.kind
            scope[node] = (kind == .function || kind == .method) ? node : parentScope
            guard let function = scope[node], function != node, tree.roles.names.contains(tree.kindName(node)),
                  tree.kindName(node) != "qualified_name", !kept.contains(tree.label[node]) else { continue }
            if let parent = tree.parentOf(node), let memberIndex = tree.roles.memberNameChild[tree.kindName(parent)],
               tree.childIndex(node) == memberIndex { continue }
            var names = numbering[function, default: [:]]
            let number = names[tree.label[node]] ?? (names.count + 1)
            names[tree.label[node]] = number
            numbering[function] = names
            labels[node] = "$\(number)"
        }
        return tree.relabeled(labels)
    }
}
