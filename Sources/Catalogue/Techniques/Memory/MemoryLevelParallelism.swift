import TreeSitterKit

/// `memory_level_parallelism`: several independent global loads are issued before any of them is used, so
/// their latencies overlap. Decided from the code only (comments play no part), by either of:
/// - a register array filled from global memory by a fully unrolled loop (`#pragma unroll` over a
///   compile-time trip count) and consumed only by fully unrolled loops: every element stays in a register, so
///   all loads are in flight before the first use. A batch read back by a loop that is not unrolled is indexed
///   dynamically, lives in local memory, and does not count;
/// - a batch of at least four global loads issued back to back before any of them is used: consecutive
///   declarations (comments between them are skipped) whose initialisers read global memory, none mentioning a
///   local declared earlier in the batch, where the counted loads come from arrays that the batch reads at two
///   or more distinct offsets (`v0 = p[i]; v1 = p[i + s]; v2 = p[i + 2 * s]; v3 = p[i + 3 * s];`, or two
///   arrays each read at two offsets by a hand-unrolled loop).
/// An elementwise kernel that loads one value from each of several arrays at the same index (`float a = x[i];
/// float b = y[i];`, even four such arrays) is the default shape, not a design choice, and does not count; nor
/// does one dependent load at a time (pointer chasing).
struct MemoryLevelParallelism: TechniqueDetector {
    let id = "memory_level_parallelism"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let shared = MemSupport.sharedNames(kernel, facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            // A register array filled by an unrolled loop from memory, read only in unrolled loops.
            let arrays = Set(MemSupport.registerArrays(in: f).map(\.name))
            for (target, value, op, node) in MemSupport.assignments(in: body) where op == "=" && node.type == "assignment_expression" {
                guard let root = MemSupport.base(of: target), arrays.contains(root), let value,
                      !MemSupport.memoryReads(in: value, pointers: pointers).isEmpty,
                      let fill = MemSupport.enclosingLoops(node, within: body).first, isUnrolled(fill, facts) else { continue }
                let readers = MemSupport.uses(of: root, in: body).filter { !MemSupport.contains(fill, $0) && !MemSupport.isWritten($0) }
                    .filter { $0.parent?.type == "subscript_expression" }
                guard !readers.isEmpty, readers.allSatisfy({ use in
                    let loops = MemSupport.enclosingLoops(use, within: body)
                    return loops.allSatisfy { isUnrolled($0, facts) || !MemSupport.mentions(loopVariables($0), in: use.parent!) }
                }) else { continue }
                return [facts.evidence(node, "loads batched into register array `\(root)` before their first use")]
            }
            // A batch of independent loads issued back to back before any of them is used.
            for block in body.preorder where block.type == "compound_statement" {
                var names: Set<String> = []
                var loads: [Node] = []
                for statement in block.namedChildren where statement.type != "comment" {
                    guard let batch = Self.loadDeclaration(statement, pointers: pointers) else {
                        names = []; loads = []
                        continue
                    }
                    if batch.values.contains(where: { MemSupport.mentions(names, in: $0) }) {
                        // Depends on a value loaded just before: a new batch starts here.
                        names = []; loads = []
                    }
                    names.formUnion(batch.names)
                    loads += batch.loads
                    let batched = Self.batchedLoads(loads)
                    if batched.count >= 4 {
                        return [facts.evidence(batched[0], "independent global loads issued back to back"),
                                facts.evidence(batched[batched.count - 1], "all \(batched.count) in flight before the first is used")]
                    }
                }
            }
        }
        return []
    }

    /// A declaration whose every declarator is initialised by an expression that reads global memory: the
    /// names it declares, the initialisers, and the outermost reads in them.
    static func loadDeclaration(_ statement: Node, pointers: Set<String>) -> (names: [String], values: [Node], loads: [Node])? {
        guard statement.type == "declaration", !MemSupport.isShared(statement) else { return nil }
        let declarators = MemSupport.declarators(of: statement)
        guard !declarators.isEmpty else { return nil }
        var names: [String] = [], values: [Node] = [], loads: [Node] = []
        for declarator in declarators {
            guard declarator.type == "init_declarator", let value = declarator.child(byField: "value") else { return nil }
            let reads = MemSupport.memoryReads(in: value, pointers: pointers)
            let outermost = reads.filter { read in !reads.contains { $0 != read && MemSupport.contains($0, read) } }
            guard !outermost.isEmpty else { return nil }
            if let name = declarator.child(byField: "declarator").flatMap(MemSupport.declaredIdentifier) { names.append(name) }
            values.append(value)
            loads += outermost
        }
        return (names, values, loads)
    }

    /// The loads of a batch that come from an array read at two or more distinct offsets within it, in order.
    static func batchedLoads(_ loads: [Node]) -> [Node] {
        func spelling(_ node: Node) -> String { node.text.filter { !$0.isWhitespace } }
        var offsets: [String: Set<String>] = [:]
        for load in loads { offsets[MemSupport.base(of: load) ?? spelling(load), default: []].insert(spelling(load)) }
        var seen: Set<String> = []
        return loads.filter { load in
            let key = MemSupport.base(of: load) ?? spelling(load)
            return (offsets[key]?.count ?? 0) >= 2 && seen.insert(spelling(load)).inserted
        }
    }

    /// Variables a `for` loop declares or steps.
    func loopVariables(_ loop: Node) -> Set<String> {
        var names: Set<String> = []
        if let initializer = loop.child(byField: "initializer") {
            for d in initializer.preorder where d.type == "init_declarator" {
                if let n = d.child(byField: "declarator").flatMap(MemSupport.declaredIdentifier) { names.insert(n) }
            }
            if initializer.type == "assignment_expression", let left = initializer.child(byField: "left"), left.type == "identifier" {
                names.insert(left.text)
            }
        }
        return names
    }

    /// A `for` loop preceded by `#pragma unroll` (without a factor) whose bound folds to a constant or is a
    /// template parameter / macro.
    func isUnrolled(_ loop: Node, _ facts: CUDAFacts) -> Bool {
        guard loop.type == "for_statement" else { return false }
        var anchor = loop
        while let parent = anchor.parent, parent.type != "compound_statement", parent.type != "translation_unit", parent.type != "for_statement" {
            anchor = parent
        }
        var previous = anchor.previousSibling
        while let p = previous, p.type == "comment" { previous = p.previousSibling }
        guard let pragma = previous, ["preproc_call", "pragma"].contains(pragma.type) else { return false }
        let words = CUDAFacts.identifiers(in: pragma.text)
        guard words.contains("unroll"), !pragma.text.contains("unroll 1") else { return false }
        guard let condition = loop.child(byField: "condition"), condition.type == "binary_expression",
              let bound = condition.child(byField: "right") else { return false }
        if MemSupport.evaluate(bound, facts) != nil { return true }
        return bound.type == "identifier" && (facts.macros[bound.text] != nil || isTemplateParameter(bound.text, loop))
    }

    func isTemplateParameter(_ name: String, _ node: Node) -> Bool {
        var current = node.parent
        while let c = current {
            if c.type == "template_declaration", let parameters = c.child(byField: "parameters") {
                if parameters.preorder.contains(where: { $0.type == "identifier" && $0.text == name }) { return true }
            }
            current = c.parent
        }
        return false
    }

    func declaredNames(_ declaration: Node) -> [String] {
        MemSupport.declarators(of: declaration).compactMap(MemSupport.declaredIdentifier)
    }
}
