import TreeSitterKit

/// `vectorized_loads_128bit`: global or shared memory is read or written 16 bytes at a time. Found when the
/// kernel or a helper it calls reinterprets a pointer as a pointer to a 128-bit type (`float4`, `int4`,
/// `uint4`, `double2`, or a struct the source declares with 16-byte alignment such as a `Packed128<T>`, also
/// behind `typedef`/`using` aliases), or indexes / dereferences a pointer of such a type, directly or through a
/// load intrinsic given an address into it (`__ldcs(p + i)`, `__ldg(&p[i])`). 64-bit vectors
/// (`float2`, `half2` pairs), `float4` values assembled in registers from scalar loads, and the type's name in
/// a comment do not count.
struct VectorizedLoads128Bit: TechniqueDetector {
    let id = "vectorized_loads_128bit"

    static let casts: Set<String> = ["reinterpret_cast", "static_cast", "const_cast"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let aliases = MemSupport.aliases(facts)
        let wide = MemSupport.vector128Types(facts)
        func isWide(_ typeNode: Node?) -> Bool {
            guard let typeNode, let name = MemSupport.typeName(typeNode) else { return false }
            return wide.contains(MemSupport.resolve(name, aliases))
        }
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            // Pointer reinterpretation to a 128-bit element type.
            for node in body.preorder {
                var target: Node?
                if node.type == "cast_expression" {
                    target = node.child(byField: "type")
                } else if node.type == "call_expression", let callee = node.child(byField: "function"), callee.type == "template_function",
                          Self.casts.contains(callee.child(byField: "name")?.text ?? "") {
                    target = callee.child(byField: "arguments")?.namedChild(0)
                }
                guard let descriptor = target, descriptor.type == "type_descriptor",
                      descriptor.preorder.contains(where: { $0.type == "abstract_pointer_declarator" }),
                      isWide(descriptor) else { continue }
                evidence.append(facts.evidence(node, "pointer reinterpreted as 128-bit `\(descriptor.text)`"))
            }
            // Pointers declared with a 128-bit element type that are indexed or dereferenced.
            var widePointers: Set<String> = []
            let declarations = (f.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? [])
                + body.preorder.filter { $0.type == "declaration" }
            for declaration in declarations where isWide(declaration.child(byField: "type")) {
                for declarator in MemSupport.declarators(of: declaration) where MemSupport.hasPointer(declarator) {
                    if let name = MemSupport.declaredIdentifier(declarator) { widePointers.insert(name) }
                }
            }
            // Load intrinsics count only when the address they are given is one of those pointers (`__ldcs(v + i)`).
            let viaWidePointer: (Node) -> Bool = { access in
                access.type != "call_expression" || MemSupport.base(of: access).map { widePointers.contains($0) } == true
            }
            if let access = MemSupport.memoryReads(in: body, pointers: widePointers).first(where: viaWidePointer) {
                evidence.append(facts.evidence(access, "128-bit access through `\(MemSupport.base(of: access) ?? "")`"))
            }
        }
        return evidence
    }
}
