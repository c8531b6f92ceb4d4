import TreeSitterKit

/// `bank_conflict_avoidance`: the shared-memory layout or index is chosen so that a warp's accesses fall in
/// different banks. Found from the layout itself (a 2-D shared array whose row is padded, `tile[32][32 + 1]`
/// or `[TILE][TILE + PAD]` or `[32][33]`; an XOR-swizzled shared index `s[r][c ^ (r & 7)]`; an index skewed by
/// `i >> 5`), or from the author's statement at the kernel (a comment that the index/layout avoids bank
/// conflicts, is conflict-free, or is "shared memory friendly") in a kernel that uses shared memory. Comments
/// that complain about conflicts or plan a fix (`TODO`), and unpadded tiles, do not count.
struct BankConflictAvoidance: TechniqueDetector {
    let id = "bank_conflict_avoidance"

    static let claims: Set<String> = ["avoid", "avoids", "avoiding", "avoided", "free", "no", "without", "prevent",
                                      "prevents", "eliminate", "eliminates", "fewer", "reduce", "reduces", "pad",
                                      "padding", "padded", "skew", "skewed", "swizzle", "swizzled", "minimize"]
    static let complaints: Set<String> = ["todo", "fixme", "suffers", "suffer", "causes", "cause", "has", "have", "hurt",
                                          "hurts", "incurs", "many"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let shared = MemSupport.sharedNames(kernel, facts)
        guard !shared.isEmpty else { return [] }
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            // Padded rows.
            for declaration in body.preorder where declaration.type == "declaration" && MemSupport.isShared(declaration) {
                for declarator in MemSupport.declarators(of: declaration) {
                    var sizes: [Node] = []
                    var d: Node? = declarator
                    while let current = d, current.type == "array_declarator" {
                        if let size = current.child(byField: "size") { sizes.insert(size, at: 0) }
                        d = current.child(byField: "declarator")
                    }
                    guard sizes.count >= 2, let row = sizes.last else { continue }
                    if isPadded(row, facts) { evidence.append(facts.evidence(declaration, "shared tile row padded against bank conflicts")) }
                }
            }
            // Swizzled or skewed indices into shared arrays.
            for access in body.preorder where access.type == "subscript_expression" {
                guard let root = MemSupport.base(of: access), shared.contains(root),
                      let indices = access.child(byField: "indices") else { continue }
                if indices.preorder.contains(where: { $0.type == "binary_expression" && $0.child(byField: "operator")?.type == "^" }) {
                    evidence.append(facts.evidence(access, "XOR-swizzled shared-memory index")); break
                }
                if indices.preorder.contains(where: { isBankSkew($0, facts) }) {
                    evidence.append(facts.evidence(access, "shared-memory index skewed by the bank count")); break
                }
            }
        }
        for comment in MemSupport.comments(reachedFrom: kernel, facts) where states(comment) {
            evidence.append(facts.evidence(comment, "layout chosen to avoid shared-memory bank conflicts (stated)"))
        }
        return evidence
    }

    /// `N + c` with a small constant c, or a literal 2^k + 1.
    func isPadded(_ size: Node, _ facts: CUDAFacts) -> Bool {
        if size.type == "binary_expression", size.child(byField: "operator")?.type == "+",
           let pad = size.child(byField: "right").flatMap({ MemSupport.evaluate($0, facts) }), (1...8).contains(pad) {
            return true
        }
        if let value = MemSupport.evaluate(size, facts), value > 16 {
            let base = value - 1
            return base & (base - 1) == 0
        }
        return false
    }

    /// `x + (x >> 5)` / `x + x / 32`: an offset of one word per bank-count elements.
    func isBankSkew(_ node: Node, _ facts: CUDAFacts) -> Bool {
        guard node.type == "binary_expression", node.child(byField: "operator")?.type == "+" else { return false }
        for side in [node.child(byField: "left"), node.child(byField: "right")].compactMap({ $0 }) {
            var inner = side
            while inner.type == "parenthesized_expression", let child = inner.namedChild(0) { inner = child }
            guard inner.type == "binary_expression", let right = inner.child(byField: "right"),
                  let amount = MemSupport.evaluate(right, facts) else { continue }
            switch inner.child(byField: "operator")?.type {
            case ">>": if amount == 4 || amount == 5 { return true }
            case "/": if amount == 16 || amount == 32 { return true }
            default: break
            }
        }
        return false
    }

    /// A comment claiming conflict-free shared-memory access.
    func states(_ comment: Node) -> Bool {
        for line in comment.text.lowercased().split(separator: "\n") {
            let words = MemSupport.identifiersAndNumbers(String(line))
            if words.contains(where: { Self.complaints.contains($0) }) { continue }
            let aboutBanks = words.contains("bank") && words.contains(where: { $0.hasPrefix("conflict") })
            if aboutBanks && words.contains(where: { Self.claims.contains($0) || $0.hasSuffix("free") }) { return true }
            if MemSupport.contains(words, phrase: ["conflict", "free"]) { return true }
            if MemSupport.contains(words, phrase: ["shared", "memory", "friendly"]) || MemSupport.contains(words, phrase: ["smem", "friendly"]) {
                return true
            }
        }
        return false
    }
}
