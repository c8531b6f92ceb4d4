import TreeSitterKit

/// `in_place_computation`: the kernel writes its result over one of its inputs. Found either by construction
/// (a pointer parameter, a local pointer into it, or a buffer held in a struct parameter (`list.param[t]`) is first
/// read at an index and later written at the same index: `x[i] = f(x[i])`, `x[i] *= s`, load-update-store of
/// optimizer state, also through dereferenced, reinterpreted pointer arithmetic `*reinterpret_cast<int4*>(x + i)`) or at a call site (a launch
/// passes the same buffer for an input parameter and for a parameter the kernel writes; or the kernel passes one of
/// its buffers to a device helper both for a pointer the helper reads and for one it stores through, as in
/// `rotate(q_row, q_row, ...)` with `dst[i] = f(src[i])` inside).
/// Rejected: separate input and output buffers, outputs the kernel writes first and rescales later (its own
/// scratch, not an input), and `+=`/`-=` accumulation into an output (gradient accumulation) with no other read.
struct InPlaceComputation: TechniqueDetector {
    let id = "in_place_computation"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        guard let body = kernel.body else { return [] }
        let parameters = parameterNames(kernel)
        let declared = KernelAST.declaredTypes(kernel)
        let pointers = parameters.filter { (declared[$0] ?? "").contains("*" as Character) }
        // Local pointers into a parameter: float* row = x + b * C;
        var owner: [String: String] = Dictionary(pointers.map { ($0, $0) }, uniquingKeysWith: { a, _ in a })
        for a in KernelAST.assignments(in: body) where a.node.type == "init_declarator" {
            guard let name = a.name, (declared[name] ?? "").contains("*" as Character) else { continue }
            if let p = KernelAST.identifiers(in: a.value).compactMap({ owner[$0] }).first {
                owner[name] = p
            } else if let buffer = Self.parameterBuffer(a.value, parameters) {
                // float* m = list.exp_avg[t]: a buffer held in a struct parameter.
                owner[name] = buffer
            }
        }
        var evidence: [Evidence] = []
        // By construction: first access a read, later a write at the same index. A write takes effect after its
        // right-hand side is evaluated, so it is ordered at the end of its assignment.
        struct Access { let position: Int; let parameter: String; let index: String; let op: String?; let node: Node }
        var accesses: [Access] = []
        func record(_ n: Node, buffer p: String, index key: String) {
            if let parent = n.parent, parent.type == "assignment_expression", parent.child(byField: "left") == n {
                accesses.append(Access(position: parent.endByte, parameter: p, index: key, op: KernelAST.op(parent) ?? "=", node: parent))
            } else {
                accesses.append(Access(position: n.startByte, parameter: p, index: key, op: nil, node: n))
            }
        }
        for n in body.preorder {
            switch n.type {
            case "subscript_expression":
                guard let base = n.child(byField: "argument"), let index = n.child(byField: "indices") else { continue }
                if base.type == "identifier", let p = owner[base.text] {
                    record(n, buffer: p, index: KernelAST.compact(index))
                } else if let buffer = Self.parameterBuffer(base, parameters) {
                    // list.param[t][i]: an element of a buffer held in a struct parameter.
                    record(n, buffer: buffer, index: KernelAST.compact(index))
                }
            case "pointer_expression":
                // *reinterpret_cast<int4*>(x + i): a (vector) element at the offset the arithmetic gives.
                guard KernelAST.op(n) == "*", let argument = n.child(byField: "argument") else { continue }
                let terms = MemoryCoalescing.additiveTerms(Self.strippingCasts(argument))
                guard let at = terms.firstIndex(where: { $0.type == "identifier" && owner[$0.text] != nil }) else { continue }
                var rest = terms
                rest.remove(at: at)
                record(n, buffer: owner[terms[at].text]!, index: rest.map(KernelAST.compact).sorted().joined(separator: "+"))
            default:
                continue
            }
        }
        accesses.sort { $0.position < $1.position }
        var reads: [String: Set<String>] = [:]
        var plainWrites: [Access] = []
        var written: Set<String> = []
        for access in accesses {
            let p = access.parameter
            guard let o = access.op else {
                reads[p, default: []].insert(access.index)
                continue
            }
            written.insert(p)
            let accumulates = o == "+=" || o == "-="
            let readsItself = o != "=" && !accumulates
            // A value the kernel wrote itself earlier (on a path that can reach here) is its own output, not an input.
            let ownOutput = plainWrites.contains { w in
                w.parameter == p && w.index == access.index && !Self.exclusive(w.node, access.node)
            }
            if !ownOutput, readsItself || reads[p, default: []].contains(access.index) {
                evidence.append(facts.evidence(access.node, "output written over the input it was read from"))
            }
            if o == "=" { plainWrites.append(access) }
        }
        // At a device helper's call: one buffer of the kernel passed both for a parameter the helper reads and for
        // one it writes (`rotate(row, row, ...)` with `dst[i] = f(src[i])` inside).
        for call in body.preorder where call.type == "call_expression" {
            guard let name = KernelAST.callee(call), let helper = facts.deviceFunction(named: name), helper.node != kernel.node,
                  let args = call.child(byField: "arguments")?.namedChildren, args.count >= 2 else { continue }
            let helperParameters = parameterNames(helper)
            let (helperReads, helperWrites) = Self.readAndWrittenParameters(helper, parameters: helperParameters)
            let buffers = args.map { arg -> String? in
                let n = Self.strippingCasts(arg)
                guard let root = MemSupport.base(of: n), owner[root] != nil else { return nil }
                return KernelAST.compact(n)
            }
            var aliased = false
            for i in args.indices where i < helperParameters.count && helperWrites.contains(helperParameters[i]) {
                for j in args.indices where j != i && j < helperParameters.count && helperReads.contains(helperParameters[j]) {
                    if let b = buffers[i], b == buffers[j] { aliased = true }
                }
            }
            if aliased { evidence.append(facts.evidence(call, "the same buffer passed to a helper as the input it reads and the output it writes")) }
        }
        // At a call site: the same buffer bound to a parameter the kernel writes and another one.
        for launch in facts.launches(of: kernel) {
            let args = launch.arguments.map { String($0.filter { !$0.isWhitespace }) }
            for i in args.indices where i < parameters.count {
                for j in args.indices where j > i && j < parameters.count && args[i] == args[j] && !args[i].isEmpty {
                    guard pointers.contains(parameters[i]), pointers.contains(parameters[j]),
                          written.contains(parameters[i]) || written.contains(parameters[j]) else { continue }
                    evidence.append(facts.evidence(span: launch.span, "the same buffer passed as input and output"))
                }
            }
        }
        return evidence
    }

    /// Pointer parameters of a device helper that it reads from and that it stores through (`dst[i] = ...`,
    /// `*(dst + i) = ...`, `reinterpret_cast<T*>(dst)[i] = ...`).
    static func readAndWrittenParameters(_ helper: CUDAFacts.Function, parameters: [String]) -> (reads: Set<String>, writes: Set<String>) {
        guard let body = helper.body else { return ([], []) }
        let declared = KernelAST.declaredTypes(helper)
        let pointers = Set(parameters.filter { (declared[$0] ?? "").contains("*" as Character) })
        var reads = Set<String>(), writes = Set<String>()
        for n in body.preorder where n.type == "subscript_expression" || (n.type == "pointer_expression" && KernelAST.op(n) == "*") {
            guard let root = MemSupport.base(of: n), pointers.contains(root) else { continue }
            if let parent = n.parent, parent.type == "assignment_expression", parent.child(byField: "left") == n {
                writes.insert(root)
                if KernelAST.op(parent) != "=" { reads.insert(root) }
            } else {
                reads.insert(root)
            }
        }
        return (reads, writes)
    }

    /// Whether two nodes sit in different branches of one `if` (never both executed).
    static func exclusive(_ a: Node, _ b: Node) -> Bool {
        var current = a.parent
        while let c = current {
            if c.type == "if_statement", let consequence = c.child(byField: "consequence"), let alternative = c.child(byField: "alternative") {
                let aThen = KernelAST.isInside(a, consequence), bThen = KernelAST.isInside(b, consequence)
                let aElse = KernelAST.isInside(a, alternative), bElse = KernelAST.isInside(b, alternative)
                if (aThen && bElse) || (aElse && bThen) { return true }
            }
            current = c.parent
        }
        return false
    }

    /// A buffer reached from a parameter through fields and subscripts (`list.exp_avg[t]`): its spelling, as a key.
    static func parameterBuffer(_ node: Node, _ parameters: [String]) -> String? {
        let n = strippingCasts(node)
        guard n.type == "field_expression" || n.type == "subscript_expression", let root = MemSupport.base(of: n),
              parameters.contains(root), n.preorder.contains(where: { $0.type == "field_expression" }) else { return nil }
        return KernelAST.compact(n)
    }

    /// An expression without parentheses and casts (the cast stripping of `ThreadAddressing`, no vector types asked).
    static func strippingCasts(_ node: Node) -> Node {
        ThreadAddressing.stripCasts(node, vectorTypes: [], aliases: [:]).0
    }

    /// The parameter names in order (`""` for an unnamed one; see `KernelIndexFlow.parameters(of:)`).
    func parameterNames(_ kernel: CUDAFacts.Function) -> [String] {
        KernelIndexFlow.parameters(of: kernel.node).map(\.name)
    }
}
