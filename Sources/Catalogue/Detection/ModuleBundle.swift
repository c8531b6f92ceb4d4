import Foundation
import SourceModel
import TreeSitterKit

/// The Python modules of one submission read as one program, so that detectors see an idea whose parts live in
/// different files (a value in `config.py` read in `train.py`, an optimizer class of `optim.py` built with
/// parameter groups made elsewhere) as they see it in one script.
///
/// The modules are joined in import order (a module after the modules of the submission it imports). Each
/// statement importing a module of the submission is blanked in place (a `from ... import name as alias` becomes an
/// assignment when it fits in the statement's bytes), and a name read through such a module (`optim.build(m)`,
/// `schedule.lr_multiplier(it)` after `import pkg.lr as schedule`) becomes the bare name padded with spaces, so
/// every other byte keeps its offset within its module: evidence found in the joined program maps back to its own
/// file by subtracting where the module starts.
public struct ModuleBundle {
    /// The joined program.
    public let facts: PythonFacts
    /// Each module: where it starts in the joined program, and its file.
    let segments: [(start: Int, facts: PythonFacts)]

    /// Larger submissions are analysed module by module.
    static let byteLimit = 4 << 20

    /// Nil for fewer than two modules, for a module that does not parse cleanly (an unclosed bracket would swallow
    /// the modules after it), and above `byteLimit`.
    public init?(_ modules: [PythonFacts]) {
        guard modules.count > 1, !modules.contains(where: { $0.root.hasError }),
              modules.reduce(0, { $0 + $1.file.bytes.count }) <= Self.byteLimit else { return nil }
        let paths = modules.map { Self.components($0.file.path) }
        /// The module of the submission an import names, seen from the importing module: a relative import from
        /// the importer's folder (`.` per level), an absolute one from the importer's folder or from the
        /// submission's root (the folder the modules share).
        let root = paths.dropFirst().reduce(paths[0].dropLast()) { common, path in
            Array(zip(common, path.dropLast()).prefix { $0 == $1 }.map(\.0))
        }
        func local(_ module: String, from importer: Int) -> Int? {
            let dots = module.prefix { $0 == "." }.count
            let parts = module.dropFirst(dots).split(separator: ".").map(String.init)
            guard !parts.isEmpty else { return nil }
            let folder = Array(paths[importer].dropLast())
            var bases: [[String]] = []
            if dots > 0 {
                guard dots - 1 <= folder.count else { return nil }
                bases = [Array(folder.dropLast(dots - 1))]
            } else {
                bases = [folder, Array(root)]
            }
            for base in bases {
                if let found = paths.firstIndex(where: { Self.moduleParts($0) == base + parts }) { return found }
            }
            return nil
        }
        // Imports of submission modules, per module.
        var rewritten: [[UInt8]] = []
        var dependencies: [[Int]] = []
        let modulePaths = Set(paths.map(Self.moduleParts))
        for (index, facts) in modules.enumerated() {
            var bytes = facts.file.bytes
            var uses: [Int] = []
            var moduleNames: [String: [String]] = [:]
            for statement in facts.nodes(ofType: ["import_statement", "import_from_statement"]) {
                let imported = Self.importedModules(statement)
                let targets = imported.compactMap { local($0, from: index) }
                guard !targets.isEmpty, targets.count == imported.count else { continue }
                uses += targets
                for (name, module) in Self.boundModules(statement, { module in local(module, from: index).map { Self.moduleParts(paths[$0]) } }) {
                    moduleNames[name] = module
                }
                Self.blank(statement, in: &bytes, aliases: Self.aliases(statement))
            }
            Self.unqualify(facts, moduleNames, modules: modulePaths, in: &bytes)
            rewritten.append(bytes)
            dependencies.append(uses)
        }
        // Depth-first: a module's local imports come before it.
        var order: [Int] = []
        var state = [Int](repeating: 0, count: modules.count)
        func visit(_ index: Int) {
            guard state[index] == 0 else { return }
            state[index] = 1
            for dependency in dependencies[index] where dependency != index { visit(dependency) }
            state[index] = 2
            order.append(index)
        }
        for index in modules.indices { visit(index) }
        var joined: [UInt8] = []
        var segments: [(start: Int, facts: PythonFacts)] = []
        for index in order {
            segments.append((joined.count, modules[index]))
            joined += rewritten[index]
            joined += Array("\n\n".utf8)
        }
        let path = modules.map(\.file.path).joined(separator: " + ")
        guard let facts = try? PythonFacts(file: SourceFile(path: path, language: .python, bytes: joined)) else { return nil }
        self.facts = facts
        self.segments = segments
    }

    /// A path's components (`proj/pkg/mod.py` -> `proj`, `pkg`, `mod.py`).
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// The module a file is, as path components: `pkg/mod.py` is `pkg`, `mod`; `pkg/__init__.py` is `pkg`.
    static func moduleParts(_ components: [String]) -> [String] {
        var parts = components
        guard let last = parts.last else { return [] }
        parts[parts.count - 1] = last.hasSuffix(".py") ? String(last.dropLast(3)) : last
        if parts.last == "__init__" { parts.removeLast() }
        return parts
    }

    /// The modules a statement imports: `import a, b.c` gives `a`, `b.c`; `from .x import y` gives `.x`;
    /// `from . import mod` gives `mod`.
    static func importedModules(_ statement: Node) -> [String] {
        if statement.type == "import_statement" {
            return statement.namedChildren.compactMap { child in
                child.type == "aliased_import" ? child.child(byField: "name")?.text : (child.type == "dotted_name" ? child.text : nil)
            }
        }
        guard let module = statement.child(byField: "module_name") else { return [] }
        let text = module.text
        if text.allSatisfy({ $0 == "." }) {
            // `from . import layers, muon`: the names are modules.
            return statement.namedChildren.filter { $0 != module }.compactMap { child in
                child.type == "aliased_import" ? child.child(byField: "name")?.text : (child.type == "dotted_name" ? child.text : nil)
            }
        }
        return [text]
    }

    /// The names an import of the submission's modules binds to a module (not to a name a module defines), with
    /// that module's parts: `import optim` and `import optim.schedules` bind `optim`; `import pkg.lr as schedule`
    /// binds `schedule` (`pkg`, `lr`); `from . import lr` and `from pkg import lr` bind `lr` when `pkg/lr.py` is one.
    static func boundModules(_ statement: Node, _ find: (String) -> [String]?) -> [(name: String, module: [String])] {
        let from = statement.child(byField: "module_name")
        return statement.namedChildren.compactMap { child -> (name: String, module: [String])? in
            guard child != from, let name = child.type == "aliased_import" ? child.child(byField: "name")?.text : (child.type == "dotted_name" ? child.text : nil)
            else { return nil }
            let alias = child.type == "aliased_import" ? child.child(byField: "alias")?.text : nil
            guard let from else {
                // `import a.b` binds `a`: the part of the module's path its first component names.
                guard let module = find(name) else { return nil }
                let depth = name.split(separator: ".").count
                return (alias ?? String(name.prefix { $0 != "." }), alias == nil ? Array(module.dropLast(depth - 1)) : module)
            }
            let dotsOnly = from.text.allSatisfy { $0 == "." }
            guard let module = find(from.text + (dotsOnly ? "" : ".") + name) else { return nil }
            return (alias ?? name, module)
        }
    }

    /// Rewrites a name read through a module an import binds (`optim.build(model)`, `pkg.lr.floor`) to the bare name
    /// padded with spaces (`build       (model)`): in the joined program the bare name is the module's own. Not a
    /// module itself (`pkg.lr`), not a write (`config.LR = ...`), not across lines, and not where the importing
    /// module binds or imports the name itself (or binds the module's name), so the bare name would read its own.
    static func unqualify(_ facts: PythonFacts, _ moduleNames: [String: [String]], modules: Set<[String]>, in bytes: inout [UInt8]) {
        guard !moduleNames.isEmpty else { return }
        let imported = facts.fullImports.bindings
        for reference in facts.nodes(ofType: "attribute") {
            guard let name = reference.child(byField: "attribute")?.text, var object = reference.child(byField: "object") else { continue }
            var path: [String] = []
            while object.type == "attribute", let part = object.child(byField: "attribute")?.text, let inner = object.child(byField: "object") {
                path.insert(part, at: 0)
                object = inner
            }
            guard object.type == "identifier", let module = moduleNames[object.text],
                  path.isEmpty || modules.contains(module + path), !modules.contains(module + path + [name]),
                  imported[name] == nil, facts.dataflow.bindings(of: name, at: reference).isEmpty,
                  facts.dataflow.bindings(of: object.text, at: object).isEmpty,
                  !(reference.parent.map { ["assignment", "augmented_assignment"].contains($0.type) && $0.child(byField: "left") == reference } ?? false)
            else { continue }
            let range = reference.byteRange
            guard !bytes[range].contains(UInt8(ascii: "\n")) else { continue }
            let text = Array(name.utf8)
            for (offset, index) in range.enumerated() { bytes[index] = offset < text.count ? text[offset] : UInt8(ascii: " ") }
        }
    }

    /// `name as alias` pairs of a `from` import (a plain name needs nothing: it keeps its name).
    static func aliases(_ statement: Node) -> [(name: String, alias: String)] {
        guard statement.type == "import_from_statement" else { return [] }
        return statement.namedChildren.compactMap { child in
            guard child.type == "aliased_import", let name = child.child(byField: "name")?.text,
                  let alias = child.child(byField: "alias")?.text, name != alias else { return nil }
            return (name.split(separator: ".").last.map(String.init) ?? name, alias)
        }
    }

    /// Replaces a statement with spaces (newlines kept), writing `alias = name` assignments in its place when
    /// they fit on its first line, and `pass` otherwise: a block whose only statement was the import
    /// (`try: from .config import C`) keeps a statement, so the program still parses.
    static func blank(_ statement: Node, in bytes: inout [UInt8], aliases: [(name: String, alias: String)]) {
        let range = statement.byteRange
        for index in range where bytes[index] != UInt8(ascii: "\n") { bytes[index] = UInt8(ascii: " ") }
        var replacement = Array(aliases.map { "\($0.alias) = \($0.name)" }.joined(separator: "; ").utf8)
        let firstLine = bytes[range].firstIndex(of: UInt8(ascii: "\n")).map { $0 - range.lowerBound } ?? range.count
        if replacement.isEmpty || replacement.count > firstLine { replacement = Array("pass".utf8) }
        guard replacement.count <= firstLine else { return }
        for (offset, byte) in replacement.enumerated() { bytes[range.lowerBound + offset] = byte }
    }

    /// Detections found in the joined program, with each piece of evidence moved back to its own file.
    public func mapBack(_ detections: [Detection]) -> [Detection] {
        detections.map { detection in
            Detection(id: detection.id, evidence: detection.evidence.map(mapBack))
        }
    }

    /// Evidence found in the joined program moved back to its own file (other evidence is returned as it is).
    public func mapBack(_ evidence: Evidence) -> Evidence {
        // Segments are in increasing order of start: the last one starting at or before the evidence holds it.
        guard evidence.path == facts.file.path,
              let segment = segments.last(where: { $0.start <= evidence.range.startByte }) else { return evidence }
        let file = segment.facts.file
        let start = min(max(0, evidence.range.startByte - segment.start), file.bytes.count)
        let end = min(max(start, evidence.range.endByte - segment.start), file.bytes.count)
        // The code as the module writes it (a rewritten `optim.step_fn(x)` is shown so, not padded).
        return Evidence(path: file.path, range: file.lines.range(start..<end), code: segment.facts.snippet(start..<end), note: evidence.note)
    }
}
