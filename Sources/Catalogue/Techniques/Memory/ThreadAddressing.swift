import SourceModel
import TreeSitterKit

/// How the global-memory addresses of one function move with the thread: every access (a subscript, or pointer
/// arithmetic handed to a load/store helper or a cast) with the additive terms of its address, the offsets that
/// derived pointers carry (`const float* x = inp + row * C;` then `x[c]` is `inp[row * C + c]`), and whether the
/// access moves a whole vector per thread (so a thread index scaled by the vector width still walks consecutive
/// packets: `pk_load(x + lane * 8)` where `pk_load` reads an `int4`).
struct ThreadAddressing {
    let facts: CUDAFacts
    let function: CUDAFacts.Function
    /// Global pointers of the function (shared arrays excluded).
    let pointers: Set<String>
    /// Locals that move by one with the thread's x index.
    let linear: Set<String>
    /// Locals that move by a compile-time constant (a packet width) with the thread's x index.
    let packet: Set<String>
    /// Locals that depend on the thread in any way.
    let dependent: Set<String>
    /// Locals that differ between the lanes of one warp (not a warp index `threadIdx.x / 32`, not `threadIdx.y`).
    let laneDependent: Set<String>
    /// Derived pointers: the additive terms of their offset from the pointer they were computed from.
    let offsets: [String: [Node]]
    /// Pointers whose element type is a vector (`float4*`, `__half2*`, an aligned packet struct).
    let vectorPointers: Set<String>

    struct Access {
        let node: Node
        /// The additive terms of the address, the derived pointer's offset included.
        let terms: [Node]
        /// Whether each thread moves a vector at this address.
        let vector: Bool
        /// Whether the access is a store through a subscript (`p[i] = v`, `p[i] += v`, `atomicAdd(&p[i], v)` is not).
        let written: Bool
    }

    enum TermKind { case thread, packet, none }

    init(_ function: CUDAFacts.Function, shared: Set<String>, _ facts: CUDAFacts) {
        self.facts = facts
        self.function = function
        let pointers = MemSupport.pointerNames(in: function).subtracting(shared)
        self.pointers = pointers
        self.linear = MemoryCoalescing.threadLinearVariables(in: function)
        self.dependent = MemoryCoalescing.threadDependentVariables(in: function)
        self.laneDependent = Self.laneDependentVariables(in: function, facts)
        var packet: Set<String> = []
        var offsets: [String: [Node]] = [:]
        var vectorPointers: Set<String> = []
        let vectorTypes = Self.vectorTypes(facts)
        let aliases = MemSupport.aliases(facts)
        if let body = function.body {
            let declarators = body.preorder.filter { $0.type == "init_declarator" }
            for _ in 0..<3 {
                for node in declarators {
                    guard let declarator = node.child(byField: "declarator"), let name = MemSupport.declaredIdentifier(declarator),
                          let value = node.child(byField: "value") else { continue }
                    if !MemSupport.hasPointer(declarator) {
                        if !packet.contains(name), !linear.contains(name),
                           Self.isPacketLinear(value, linear: linear, packet: packet, facts) { packet.insert(name) }
                        continue
                    }
                    let (stripped, castToVector) = Self.stripCasts(value, vectorTypes: vectorTypes, aliases: aliases)
                    if castToVector { vectorPointers.insert(name) }
                    let terms = MemoryCoalescing.additiveTerms(stripped)
                    guard let baseIndex = terms.firstIndex(where: { $0.type == "identifier" && pointers.contains($0.text) }) else { continue }
                    let baseName = terms[baseIndex].text
                    var rest = terms
                    rest.remove(at: baseIndex)
                    offsets[name] = rest + (offsets[baseName] ?? [])
                    if vectorPointers.contains(baseName) { vectorPointers.insert(name) }
                }
            }
            let declarations = (function.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? [])
                + body.preorder.filter { $0.type == "declaration" }
            for declaration in declarations {
                guard let type = MemSupport.declaredTypeName(declaration),
                      vectorTypes.contains(MemSupport.resolve(type, aliases)) else { continue }
                for declarator in MemSupport.declarators(of: declaration) where MemSupport.hasPointer(declarator) {
                    if let name = MemSupport.declaredIdentifier(declarator) { vectorPointers.insert(name) }
                }
            }
        }
        self.packet = packet
        self.offsets = offsets
        self.vectorPointers = vectorPointers
    }

    // MARK: Accesses

    /// Every global access of the function.
    func accesses() -> [Access] {
        guard let body = function.body else { return [] }
        let vectorTypes = Self.vectorTypes(facts)
        let aliases = MemSupport.aliases(facts)
        var result: [Access] = []
        for node in body.preorder {
            switch node.type {
            case "subscript_expression":
                guard node.parent?.type != "subscript_expression" || node.parent?.child(byField: "argument") != node,
                      let argument = node.child(byField: "argument"), let indices = node.child(byField: "indices"),
                      let address = self.address(argument, vectorTypes: vectorTypes, aliases: aliases) else { continue }
                result.append(Access(node: node, terms: MemoryCoalescing.additiveTerms(indices) + address.terms,
                                     vector: address.vector, written: MemSupport.isWritten(node)))
            case "binary_expression":
                guard ["+", "-"].contains(node.child(byField: "operator")?.type ?? ""),
                      let castToVector = addressUse(node, vectorTypes: vectorTypes, aliases: aliases),
                      let address = self.address(node, vectorTypes: vectorTypes, aliases: aliases) else { continue }
                let vector = address.vector || castToVector || passesToVectorHelper(node) || passesToPacketCopy(node)
                result.append(Access(node: node, terms: address.terms, vector: vector, written: false))
            case "pointer_expression":
                // `*p` or `*reinterpret_cast<const float4*>(p)` on a derived pointer: its offset is the address.
                guard node.child(byField: "operator")?.type == "*", let argument = node.child(byField: "argument") else { continue }
                let (stripped, toVector) = Self.stripCasts(argument, vectorTypes: vectorTypes, aliases: aliases)
                guard stripped.type == "identifier", pointers.contains(stripped.text) else { continue }
                var written = false
                if let parent = node.parent, parent.type == "assignment_expression", parent.child(byField: "left") == node { written = true }
                result.append(Access(node: node, terms: offsets[stripped.text] ?? [],
                                     vector: toVector || vectorPointers.contains(stripped.text), written: written))
            default: continue
            }
        }
        return result
    }

    /// A global pointer expression: its root pointer and the additive terms of its offset (a derived pointer's
    /// own offset included), and whether it is reinterpreted as a vector or is a vector pointer.
    func address(_ expression: Node, vectorTypes: Set<String>, aliases: [String: String]) -> (terms: [Node], vector: Bool)? {
        let (stripped, castToVector) = Self.stripCasts(expression, vectorTypes: vectorTypes, aliases: aliases)
        let terms = MemoryCoalescing.additiveTerms(stripped)
        guard let baseIndex = terms.firstIndex(where: { $0.type == "identifier" && pointers.contains($0.text) }) else { return nil }
        let baseName = terms[baseIndex].text
        var rest = terms
        rest.remove(at: baseIndex)
        return (rest + (offsets[baseName] ?? []), castToVector || vectorPointers.contains(baseName))
    }

    /// Pointer arithmetic that is used as an address right away: the outermost `+`/`-` of its chain, handed to a
    /// call, dereferenced or cast, and not the initial value of a pointer local (that one is a derived pointer).
    /// The result says whether a cast on the way reinterprets it as a vector pointer; nil when it is not such a use.
    func addressUse(_ node: Node, vectorTypes: Set<String>, aliases: [String: String]) -> Bool? {
        var current = node, vector = false
        while let parent = current.parent {
            switch parent.type {
            case "parenthesized_expression": current = parent
            case "cast_expression":
                if let type = parent.child(byField: "type"), Self.isVectorPointer(type, vectorTypes, aliases) { vector = true }
                current = parent
            case "argument_list":
                // reinterpret_cast<T*>(p + i) is a cast, not a use: keep climbing.
                if let call = parent.parent, call.type == "call_expression", let callee = call.child(byField: "function"),
                   callee.type == "template_function", VectorizedLoads128Bit.casts.contains(callee.child(byField: "name")?.text ?? "") {
                    if let type = callee.child(byField: "arguments")?.namedChild(0), Self.isVectorPointer(type, vectorTypes, aliases) { vector = true }
                    current = call
                    continue
                }
                return vector
            case "pointer_expression": return parent.child(byField: "operator")?.type == "*" ? vector : nil
            case "subscript_expression": return nil
            default: return nil
            }
        }
        return nil
    }

    /// Whether pointer arithmetic is handed to a device helper that reinterprets that parameter as a vector
    /// pointer (`pk_load(x + c)` with `pk_load(const T* p) { ... reinterpret_cast<const int4*>(p) ... }`).
    func passesToVectorHelper(_ node: Node) -> Bool {
        var current = node
        while let parent = current.parent, parent.type == "parenthesized_expression" || parent.type == "cast_expression" { current = parent }
        guard let list = current.parent, list.type == "argument_list", let call = list.parent, call.type == "call_expression",
              let callee = call.child(byField: "function"),
              let helper = facts.deviceFunction(named: facts.calleeName(callee)), let body = helper.body,
              let position = list.namedChildren.firstIndex(of: current) else { return false }
        let parameters = helper.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? []
        guard position < parameters.count, let parameter = MemSupport.declarators(of: parameters[position]).first
                .flatMap(MemSupport.declaredIdentifier) else { return false }
        let vectorTypes = Self.vectorTypes(facts)
        let aliases = MemSupport.aliases(facts)
        for cast in body.preorder where cast.type == "call_expression" || cast.type == "cast_expression" {
            let (stripped, toVector) = Self.stripCasts(cast, vectorTypes: vectorTypes, aliases: aliases)
            if toVector, stripped.type == "identifier", stripped.text == parameter { return true }
        }
        return false
    }

    /// Whether pointer arithmetic is handed to a per-thread asynchronous copy of one packet
    /// (`cuda::memcpy_async(dst, src + col, cuda::aligned_size_t<16>(16), pipe)`,
    /// `__pipeline_memcpy_async(dst, src + i * 8, 16)`): a copy whose byte count is a constant from 4 to 16, so
    /// each thread moves a vector. A group-wide copy of a whole span (a runtime size) is not a packet.
    func passesToPacketCopy(_ node: Node) -> Bool {
        var current = node
        while let parent = current.parent, parent.type == "parenthesized_expression" || parent.type == "cast_expression" { current = parent }
        guard let list = current.parent, list.type == "argument_list", let call = list.parent, call.type == "call_expression",
              let callee = call.child(byField: "function"),
              ["memcpy_async", "__pipeline_memcpy_async"].contains(facts.calleeName(callee).lastQualifiedComponent) else { return false }
        let arguments = list.namedChildren
        guard let position = arguments.firstIndex(of: current) else { return false }
        return arguments[(position + 1)...].contains { argument in
            var size = argument
            // `cuda::aligned_size_t<16>(16)`: the byte count is its argument.
            if size.type == "call_expression", let inner = size.child(byField: "arguments")?.namedChild(0) { size = inner }
            guard let bytes = MemSupport.evaluate(size, facts) else { return false }
            return (4...16).contains(bytes)
        }
    }

    // MARK: Terms

    /// Whether a term moves with the thread's x index by one (`thread`), by a constant packet width (`packet`),
    /// or neither.
    func kind(of term: Node) -> TermKind {
        if MemoryCoalescing.isThreadTerm(term) || (term.type == "identifier" && linear.contains(term.text)) { return .thread }
        if term.type == "identifier" && packet.contains(term.text) { return .packet }
        if Self.isPacketLinear(term, linear: linear, packet: packet, facts) { return .packet }
        return .none
    }

    /// Whether a term mentions the thread index (or a local that depends on it).
    func mentionsThread(_ term: Node) -> Bool {
        MemoryCoalescing.mentionsThread(term, dependent.union(packet))
    }

    /// Whether a term differs between the lanes of one warp: it mentions `threadIdx.x`, a group's `thread_rank()`
    /// or a lane-dependent local other than through a warp index (`/ 32`, `>> 5`, or a multiple).
    func variesAcrossLanes(_ term: Node) -> Bool {
        Self.variesAcrossLanes(term, laneDependent, facts)
    }

    static func variesAcrossLanes(_ node: Node, _ dependent: Set<String>, _ facts: CUDAFacts) -> Bool {
        node.preorder.contains { n in
            (MemoryCoalescing.isThreadTerm(n) || (n.type == "identifier" && dependent.contains(n.text))) && !isWarpIndex(n, facts)
        }
    }

    /// `x / 32` (or a multiple of 32) or `x >> 5` (or more), through parentheses, casts and sums with a block
    /// offset (`(blockIdx.x * blockDim.x + threadIdx.x) >> 5`): the same for every lane of a warp.
    static func isWarpIndex(_ node: Node, _ facts: CUDAFacts) -> Bool {
        var current = node
        while let parent = current.parent,
              ["parenthesized_expression", "cast_expression"].contains(parent.type)
                || (parent.type == "binary_expression" && ["+", "-"].contains(parent.child(byField: "operator")?.type ?? "")) {
            current = parent
        }
        guard let parent = current.parent, parent.type == "binary_expression", parent.child(byField: "left") == current,
              let right = parent.child(byField: "right"), let amount = MemSupport.evaluate(right, facts) else { return false }
        switch parent.child(byField: "operator")?.type ?? "" {
        case "/": return amount >= 32 && amount % 32 == 0
        case ">>": return amount >= 5
        default: return false
        }
    }

    /// Locals whose value differs between the lanes of one warp (initialised or assigned from an expression
    /// that varies across lanes).
    static func laneDependentVariables(in function: CUDAFacts.Function, _ facts: CUDAFacts) -> Set<String> {
        MemoryCoalescing.dependentVariables(in: function) { value, known in variesAcrossLanes(value, known, facts) }
    }

    /// `thread * K`, `K * thread`, `(thread) << k` with a compile-time K (a literal, a constant, `sizeof`, a
    /// `T::N` member), or a packet-linear local taken modulo an extent.
    static func isPacketLinear(_ expression: Node, linear: Set<String>, packet: Set<String>, _ facts: CUDAFacts) -> Bool {
        var node = expression
        while node.type == "parenthesized_expression" || node.type == "cast_expression",
              let inner = node.type == "cast_expression" ? node.child(byField: "value") : node.namedChild(0) { node = inner }
        guard node.type == "binary_expression", let left = node.child(byField: "left"), let right = node.child(byField: "right") else {
            return node.type == "identifier" && packet.contains(node.text)
        }
        let op = node.child(byField: "operator")?.type ?? ""
        func linearSide(_ n: Node) -> Bool { MemoryCoalescing.isThreadLinear(n, linear) }
        switch op {
        case "*":
            return (linearSide(left) && isCompileTimeWidth(right, facts)) || (linearSide(right) && isCompileTimeWidth(left, facts))
        case "<<":
            return linearSide(left) && (MemSupport.evaluate(right, facts).map { (1...4).contains($0) } ?? false)
        case "%", "+", "-":
            return isPacketLinear(left, linear: linear, packet: packet, facts)
        default:
            return false
        }
    }

    /// A small constant known at compile time: a literal or folded constant from 2 to 16, `sizeof(...)`, or a
    /// member of a type (`pk_t::N`, `Vec::size`).
    static func isCompileTimeWidth(_ node: Node, _ facts: CUDAFacts) -> Bool {
        if let value = MemSupport.evaluate(node, facts) { return (2...16).contains(value) }
        return node.type == "qualified_identifier" || node.type == "sizeof_expression"
    }

    // MARK: Types

    /// Vector element types: CUDA's built-in 2- and 4-wide vectors and the aligned structs of the source.
    static func vectorTypes(_ facts: CUDAFacts) -> Set<String> {
        facts.memo("ThreadAddressing.vectorTypes") {
            var result = MemSupport.vector128Types(facts)
            for base in ["float", "int", "uint", "short", "ushort", "char", "uchar", "double", "long", "ulong", "longlong", "ulonglong"] {
                result.insert(base + "2"); result.insert(base + "4")
            }
            result.formUnion(["half2", "__half2", "nv_bfloat162", "__nv_bfloat162"])
            result.formUnion(MemSupport.alignedTypes(facts).keys)
            return result
        }
    }

    /// Strips parentheses, C casts, `reinterpret_cast`-style casts and `__builtin_assume_aligned`; reports whether
    /// one of the casts was to a pointer to a vector type.
    static func stripCasts(_ node: Node, vectorTypes: Set<String>, aliases: [String: String]) -> (Node, Bool) {
        var current = node, toVector = false, steps = 0
        while steps < 16 {
            steps += 1
            switch current.type {
            case "parenthesized_expression":
                guard let inner = current.namedChild(0) else { return (current, toVector) }
                current = inner
            case "cast_expression":
                if let type = current.child(byField: "type"), isVectorPointer(type, vectorTypes, aliases) { toVector = true }
                guard let value = current.child(byField: "value") else { return (current, toVector) }
                current = value
            case "call_expression":
                guard let callee = current.child(byField: "function"), let first = current.child(byField: "arguments")?.namedChild(0) else {
                    return (current, toVector)
                }
                if callee.type == "template_function", VectorizedLoads128Bit.casts.contains(callee.child(byField: "name")?.text ?? "") {
                    if let type = callee.child(byField: "arguments")?.namedChild(0), isVectorPointer(type, vectorTypes, aliases) { toVector = true }
                    current = first
                } else if callee.text == "__builtin_assume_aligned" {
                    current = first
                } else {
                    return (current, toVector)
                }
            default:
                return (current, toVector)
            }
        }
        return (current, toVector)
    }

    static func isVectorPointer(_ descriptor: Node, _ vectorTypes: Set<String>, _ aliases: [String: String]) -> Bool {
        guard descriptor.type == "type_descriptor", descriptor.preorder.contains(where: { $0.type == "abstract_pointer_declarator" }),
              let name = MemSupport.typeName(descriptor) else { return false }
        return vectorTypes.contains(MemSupport.resolve(name, aliases))
    }
}
