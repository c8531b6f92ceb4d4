import SourceModel
import TreeSitterKit

/// `alignment_hints`: the code states alignment explicitly so wide or cache-line accesses are legal:
/// `__builtin_assume_aligned` in the kernel or a helper it calls, an `alignas(n)` / `__align__(n)` /
/// `__attribute__((aligned(n)))` on a variable the kernel declares, or on a struct type the kernel uses
/// (followed through typedefs and templates; libclang's canonical types are consulted too). An aligned type
/// that the kernel never uses, or the builtin's name in a comment, does not count.
/// On the host, cache-line padding of buffers counts: a size or offset rounded up to a multiple of a byte line
/// (`(n + A - 1) / A * A` or `(n + A - 1) & ~(A - 1)`, where `A` is a power of two of at least 16 bytes, either
/// spelled `128 / sizeof(T)` elements or applied to a byte count with `sizeof`) that is accumulated into a
/// running offset (`total += ...`) or handed to an allocation. A rounded-up grid or thread count (no byte line,
/// no buffer) does not count.
struct AlignmentHints: TechniqueDetector {
    let id = "alignment_hints"

    func detectHost(_ facts: CUDAFacts) -> [Evidence] {
        for host in facts.hostFunctions {
            guard let body = host.body else { continue }
            for node in body.preorder where node.type == "binary_expression" {
                guard let line = Self.roundedUpMultiple(node), Self.isByteLine(line, rounded: node, in: body, facts),
                      Self.feedsBuffer(node, within: body) else { continue }
                return [facts.evidence(node, "buffer offsets padded to a \(line.text)-aligned line")]
            }
        }
        return []
    }

    static func stripped(_ node: Node) -> Node {
        var current = node
        while current.type == "parenthesized_expression" || current.type == "cast_expression",
              let inner = current.type == "cast_expression" ? current.child(byField: "value") : current.namedChild(0) { current = inner }
        return current
    }

    static func op(_ node: Node) -> String { node.child(byField: "operator")?.type ?? "" }

    /// Whether `node` is `A - 1`.
    static func isMinusOne(_ node: Node, _ quantity: String) -> Bool {
        let n = stripped(node)
        return n.type == "binary_expression" && op(n) == "-" && n.child(byField: "left").map { stripped($0).text } == quantity
            && n.child(byField: "right")?.text == "1"
    }

    /// The quantity `A` of a round-up to a multiple: `(x + A - 1) / A * A` or `(x + A - 1) & ~(A - 1)`.
    static func roundedUpMultiple(_ node: Node) -> Node? {
        guard let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return nil }
        if op(node) == "*" {
            for (quotient, factor) in [(left, right), (right, left)] {
                let q = stripped(quotient)
                guard q.type == "binary_expression", op(q) == "/", let divisor = q.child(byField: "right"),
                      let dividend = q.child(byField: "left"), stripped(divisor).text == stripped(factor).text else { continue }
                let quantity = stripped(divisor).text
                if Self.addsLineMinusOne(dividend, quantity) { return stripped(divisor) }
            }
        } else if op(node) == "&" {
            let mask = stripped(right)
            guard mask.type == "unary_expression", mask.child(byField: "operator")?.type == "~",
                  let inner = mask.child(byField: "argument").map(stripped), inner.type == "binary_expression", op(inner) == "-",
                  let quantity = inner.child(byField: "left").map(stripped), isMinusOne(inner, quantity.text),
                  Self.addsLineMinusOne(left, quantity.text) else { return nil }
            return quantity
        }
        return nil
    }

    /// Whether an additive expression adds `A - 1` (`x + A - 1`, `x + (A - 1)`).
    static func addsLineMinusOne(_ expression: Node, _ quantity: String) -> Bool {
        let terms = MemoryCoalescing.additiveTerms(expression).map { stripped($0).text }
        if terms.contains(quantity), terms.contains("1") { return true }
        return stripped(expression).preorder.contains { isMinusOne($0, quantity) }
    }

    /// Whether the round-up quantity is a byte line of at least 16 bytes: `P / sizeof(T)` elements (directly or
    /// through a local or constant initialised with it), or a power of two applied to a byte count (`sizeof`).
    static func isByteLine(_ quantity: Node, rounded: Node, in body: Node, _ facts: CUDAFacts) -> Bool {
        var value = quantity
        if quantity.type == "identifier" {
            let declares: (Node) -> Bool = {
                $0.type == "init_declarator" && MemSupport.declaredIdentifier($0.child(byField: "declarator") ?? $0) == quantity.text
            }
            let found = body.preorder.first(where: declares) ?? facts.root.preorder.first(where: declares)
            if let initial = found?.child(byField: "value") { value = stripped(initial) }
        }
        func isLine(_ n: Node) -> Bool {
            guard let v = MemSupport.evaluate(n, facts) else { return false }
            return v >= 16 && v & (v - 1) == 0
        }
        if value.type == "binary_expression", op(value) == "/", let l = value.child(byField: "left"), let r = value.child(byField: "right"),
           stripped(r).type == "sizeof_expression" { return isLine(stripped(l)) }
        return isLine(value) && rounded.preorder.contains { $0.type == "sizeof_expression" }
    }

    static let allocators: Set<String> = ["cudaMalloc", "cudaMallocAsync", "cudaMallocManaged", "cudaMallocHost", "cudaHostAlloc",
                                          "malloc", "aligned_alloc"]

    /// Whether the rounded value is accumulated into a running offset (`total += ...`) or sizes an allocation.
    static func feedsBuffer(_ node: Node, within body: Node) -> Bool {
        var current = node.parent
        while let c = current, c != body {
            if c.type == "assignment_expression", op(c) == "+=" { return true }
            if c.type == "call_expression", let callee = c.child(byField: "function"),
               allocators.contains(callee.text.lastQualifiedComponent) { return true }
            if ["expression_statement", "declaration", "compound_statement"].contains(c.type) { return false }
            current = c.parent
        }
        return false
    }

    static let builtins: Set<String> = ["__builtin_assume_aligned", "__assume_aligned", "assume_aligned"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) {
            let bare = name.lastQualifiedComponent
            if !facts.expansion(of: bare).isDisjoint(with: Self.builtins) {
                evidence.append(facts.evidence(node, "alignment promised with `\(bare)`"))
            }
        }
        let aligned = MemSupport.alignedTypes(facts)
        let aliases = MemSupport.aliases(facts)
        var reported: Set<String> = []
        for f in facts.reach(kernel) {
            let roots = [f.node.child(byField: "declarator"), f.body].compactMap { $0 }
            for root in roots {
                for node in root.preorder {
                    if node.type == "alignas_qualifier" || ((node.type == "identifier" || node.type == "type_identifier") && node.text == "__align__") {
                        evidence.append(facts.evidence(node.parent ?? node, "variable declared with explicit alignment"))
                    } else if node.type == "attribute_specifier", node.preorder.contains(where: { $0.type == "identifier" && $0.text == "aligned" }) {
                        evidence.append(facts.evidence(node.parent ?? node, "variable declared with explicit alignment"))
                    } else if node.type == "type_identifier", node.parent?.type != "template_type" || node.parent?.child(byField: "name") == node {
                        let resolved = MemSupport.resolve(node.text, aliases)
                        if aligned[resolved] != nil, reported.insert(resolved).inserted {
                            evidence.append(facts.evidence(node.parent ?? node, "uses `\(resolved)`, declared with explicit alignment"))
                        }
                    }
                }
            }
        }
        // Canonical types (macros and templates seen through): `Packed128<float>` -> `Packed128`.
        for type in facts.types(in: kernel) {
            let words = MemSupport.identifiersAndNumbers(type)
            if let hit = words.first(where: { aligned[$0] != nil }), reported.insert(hit).inserted {
                evidence.append(facts.evidence(kernel.node, "uses `\(hit)` (\(type)), declared with explicit alignment"))
            }
        }
        return evidence
    }
}
