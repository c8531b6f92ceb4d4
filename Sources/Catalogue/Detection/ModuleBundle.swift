import Foundation
import SourceModel
import TreeSitterKit

/// The Python modules of one submission read as one program, so that detectors see an idea whose parts live in
/// different files (a value in `config.py` read in `train.py`, an optimizer class of `optim.py` built with
/// parameter groups made elsewhere) as they see it in one script.
///
/// The modules are joined in import order (a module after the modules of the submission it imports). Each
/// statement importing a module of the submission is blanked in place (an `import ... as` alias becomes an
/// assignment when it fits in the statement's bytes), so every other byte keeps its offset within its module:
/// evidence found in the joined program maps back to its own file by subtracting where the module starts.
public struct ModuleBundle {
    /// The joined program.
    public let facts: PythonFacts
    /// Each module: where it starts in the joined program, and its file.
    let segments: [(start: Int, facts: PythonFacts)]

    /// Nil for fewer than two modules.
    public init?(_ modules: [PythonFacts]) {
        guard modules.count > 1 else { return nil }
        let names = modules.map { Self.moduleNames($0.file.path) }
        func local(_ module: String) -> Int? {
            let trimmed = module.drop { $0 == "." }
            guard !trimmed.isEmpty else { return nil }
            return names.firstIndex { $0.contains(String(trimmed)) }
        }
        // Imports of submission modules, per module.
        var rewritten: [[UInt8]] = []
        var dependencies: [[Int]] = []
        for facts in modules {
            var bytes = facts.file.bytes
            var uses: [Int] = []
            for statement in facts.nodes(ofType: ["import_statement", "import_from_statement"]) {
                let imported = Self.importedModules(statement)
                let targets = imported.compactMap(local)
                guard !targets.isEmpty, targets.count == imported.count else { continue }
                uses += targets
                Self.blank(statement, in: &bytes, aliases: Self.aliases(statement))
            }
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

    /// Names a module file can be imported by: `pkg/sub/mod.py` is `pkg.sub.mod`, `sub.mod` and `mod`;
    /// `pkg/__init__.py` is `pkg`.
    static func moduleNames(_ path: String) -> Set<String> {
        var parts = path.split(separator: "/").map(String.init)
        guard let last = parts.last else { return [] }
        parts[parts.count - 1] = last.hasSuffix(".py") ? String(last.dropLast(3)) : last
        if parts.last == "__init__" { parts.removeLast() }
        var names = Set<String>()
        for start in parts.indices { names.insert(parts[start...].joined(separator: ".")) }
        return names
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
    /// they fit on its first line.
    static func blank(_ statement: Node, in bytes: inout [UInt8], aliases: [(name: String, alias: String)]) {
        let range = statement.byteRange
        for index in range where bytes[index] != UInt8(ascii: "\n") { bytes[index] = UInt8(ascii: " ") }
        let assignments = Array(aliases.map { "\($0.alias) = \($0.name)" }.joined(separator: "; ").utf8)
        let firstLine = bytes[range].firstIndex(of: UInt8(ascii: "\n")).map { $0 - range.lowerBound } ?? range.count
        guard !assignments.isEmpty, assignments.count <= firstLine else { return }
        for (offset, byte) in assignments.enumerated() { bytes[range.lowerBound + offset] = byte }
    }

    /// Detections found in the joined program, with each piece of evidence moved back to its own file.
    public func mapBack(_ detections: [Detection]) -> [Detection] {
        detections.map { detection in
            Detection(id: detection.id, evidence: detection.evidence.map(mapBack))
        }
    }

    func mapBack(_ evidence: Evidence) -> Evidence {
        guard evidence.path == facts.file.path,
              let segment = segments.last(where: { $0.start <= evidence.range.startByte }) else { return evidence }
        let file = segment.facts.file
        let start = min(max(0, evidence.range.startByte - segment.start), file.bytes.count)
        let end = min(max(start, evidence.range.endByte - segment.start), file.bytes.count)
        return Evidence(path: file.path, range: file.lines.range(start..<end), code: evidence.code, note: evidence.note)
    }
}
