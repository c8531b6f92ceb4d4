import Parsing
import SourceModel
import TreeSitterKit

/// The output head of a language model: the module or parameter whose product with the final hidden state is the
/// logits.
public struct OutputHead {
    /// Bare name of the module or parameter (`lm_head`, `unembed`; an embedding's name when the logits are computed
    /// with the embedding matrix).
    public let name: String
    /// The expression computing the logits (`self.lm_head(x)`, `h @ self.unembed.T`), or the head's construction
    /// when it was recognized by its shape only.
    public let node: Node
    /// The function computing the logits, when the head was found by its use.
    public let function: PythonFacts.Function?
    /// The logits are computed with a token-embedding weight (tied).
    public let usesEmbeddingWeight: Bool
}

/// What the model is made of: token embeddings, linear layers, norms, and the output head, recognized by what they
/// are (`nn.Embedding`, an `nn.Linear` or a file class that multiplies by its own weight, the last projection of a
/// forward that looks tokens up, a linear layer shaped `d -> vocab`), not by their names. Build it once per
/// detection (`facts.model()`): it computes the embeddings, linear classes and heads up front.
public struct ModelView {
    /// Unowned: the facts keep their model view (`facts.model()`), and a cycle would never be freed.
    public unowned let facts: PythonFacts
    /// Classes of the file that are linear layers, and module functions that build one and return it.
    public let linearClasses: Set<String>
    /// Bare names of token-embedding tables.
    public let embeddingNames: Set<String>
    /// Token-embedding lookups.
    public let embeddingLookups: [CallSite]
    /// Every token-embedding lookup expression: the lookup calls, and a functional model's weight matrix indexed by
    /// token ids (`params["wte"][idx]`).
    public let embeddingLookupNodes: [Node]
    /// The output heads.
    public private(set) var outputHeads: [OutputHead] = []

    init(_ facts: PythonFacts) {
        self.facts = facts
        linearClasses = facts.computeLinearClasses()
        embeddingNames = facts.computeEmbeddingNames()
        let names = embeddingNames
        embeddingLookups = facts.calls.filter { call in
            if call.torchCallee == "torch.nn.functional.embedding" { return true }
            // A module dictionary's entry read by its key (`self.transformer["wte"](idx)`).
            if let function = call.function, function.type == "subscript", let base = function.child(byField: "value"),
               facts.isReferenceChain(base), let key = function.child(byField: "subscript").flatMap(SettingsTable.stringValue) {
                return names.contains(key)
            }
            guard let function = call.function, facts.isReferenceChain(function) else { return false }
            return names.contains(call.name)
        }
        embeddingLookupNodes = embeddingLookups.map(\.node) + facts.tableIndexLookups
        outputHeads = facts.computeOutputHeads(self)
    }

    /// Output heads with their own weight: not an embedding matrix, and not tied to one by an assignment.
    public var untiedHeads: [OutputHead] {
        // Logits computed with an embedding matrix anywhere: the model is tied.
        if outputHeads.contains(where: \.usesEmbeddingWeight) { return [] }
        return outputHeads.filter { tyingAssignments(head: $0.name).isEmpty }
    }

    /// Whether a call constructs a linear layer (`nn.Linear(...)` or one of `linearClasses`).
    public func isLinearConstructor(_ call: CallSite) -> Bool {
        call.torchCallee == "torch.nn.Linear" || (call.receiver == nil && linearClasses.contains(call.callee))
    }

    /// Assignments that make an output head and an embedding share one weight (`wte.weight = lm_head.weight`,
    /// either direction, `nn.Parameter(other.weight)` included), unless they sit under a condition that is off
    /// (`if config.tie_word_embeddings:` with the flag False), or in the `__init__` of a class whose objects get one side
    /// replaced by a new object after it ran: by its subclasses' `__init__` (see `PythonFacts.isUndoneBySubclasses`), or
    /// from outside, on every object the file builds (see `PythonFacts.isUndoneOnBuiltObjects`).
    public func tyingAssignments(head: String) -> [Node] {
        facts.nodes.filter { n in
            guard n.type == "assignment",
                  let (l, r) = sharedWeights(n).first(where: { l, r in
                      (l == head && embeddingNames.contains(r)) || (r == head && embeddingNames.contains(l))
                  }), !facts.isInDeadBranch(n) else { return false }
            let tying: (Node) -> Bool = { !sharedWeights($0).isEmpty }
            return !facts.isUndoneBySubclasses(n, sides: [l, r], tying: tying)
                && !facts.isUndoneOnBuiltObjects(n, sides: [l, r], tying: tying)
                && !facts.isOverriddenOnBuiltObjects(n)
        }
    }

    /// For an assignment that makes one module's weight another's (`wte.weight = lm_head.weight`, `self.a.weight =
    /// nn.Parameter(self.b.weight)`), the owner names of the written and the read side.
    /// Also, when both sides are read off names a `for` loop unpacks from a list of pairs (`for dst, src in
    /// self._tied_pairs(): dst.weight = src.weight`, the list written out, held by a name, or returned by a function
    /// of the file), one pair of owners per listed pair. Empty for any other statement.
    func sharedWeights(_ n: Node) -> [(written: String, read: String)] {
        guard n.type == "assignment", let left = n.child(byField: "left"), var right = n.child(byField: "right") else { return [] }
        if right.type == "call", let call = facts.constructorCall(right), call.torchCallee == "torch.nn.Parameter", let inner = call.positional.first {
            right = inner
        }
        guard left.type == "attribute", right.type == "attribute" || right.type == "identifier" else { return [] }
        if let pairs = loopUnpackedOwners(left, right, at: n) { return pairs }
        guard let l = facts.ownerName(of: left), let r = facts.ownerName(of: right), l != r else { return [] }
        return [(written: l, read: r)]
    }

    /// The owners `left` and `right` stand for in each pass of a `for` loop holding `statement` that unpacks both
    /// their root names from the items of a list of tuples (see `sharedWeights`); nil when the roots are not such
    /// loop names or the list cannot be read.
    func loopUnpackedOwners(_ left: Node, _ right: Node, at statement: Node) -> [(written: String, read: String)]? {
        func root(_ node: Node) -> Node? {
            var current = node
            while current.type == "attribute", let object = current.child(byField: "object") { current = object }
            return current.type == "identifier" ? current : nil
        }
        guard let l = root(left), let r = root(right), l.text != r.text,
              let loop = facts.ancestors(of: statement).first(where: { $0.type == "for_statement" }),
              let targets = loop.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(targets.type),
              let iterable = loop.child(byField: "right").map(facts.unparenthesized) else { return nil }
        let names = targets.namedChildren.map(\.text)
        guard let li = names.firstIndex(of: l.text), let ri = names.firstIndex(of: r.text) else { return nil }
        // The list: written out, a name set to one, or what a function of the file returns.
        var lists: [Node] = []
        if ["list", "tuple"].contains(iterable.type) {
            lists = [iterable]
        } else if iterable.type == "identifier", let bound = facts.latestValue(of: iterable.text, before: loop) {
            lists = [facts.unparenthesized(bound)]
        } else if iterable.type == "call", let function = facts.calledFunction(facts.callSite(iterable)) {
            lists = facts.returnedValues(function).map(facts.unparenthesized)
        }
        var pairs: [(written: String, read: String)] = []
        for list in lists {
            guard ["list", "tuple"].contains(list.type) else { return nil }
            for item in list.namedChildren.map(facts.unparenthesized) where item.type != "comment" {
                guard item.type == "tuple" else { return nil }
                let parts = item.namedChildren.filter { $0.type != "comment" }
                guard parts.count == names.count else { return nil }
                // The statement's sides with the loop names replaced by this item's parts (`dst.weight` -> `self.lm_head`'s).
                let written = left.type == "attribute" && left.child(byField: "object") == l ? facts.ownerName(of: parts[li]) : nil
                let read = right == r ? facts.ownerName(of: parts[ri])
                    : (right.type == "attribute" && right.child(byField: "object") == r ? facts.ownerName(of: parts[ri]) : nil)
                guard let written, let read, written != read else { return nil }
                pairs.append((written: written, read: read))
            }
        }
        return pairs.isEmpty ? nil : pairs
    }

    /// A projection computing `x W^T` with a weight of the model: a call of a linear module, `F.linear(x, W)`, or
    /// a matrix product with a transposed model weight (also an einsum whose spec transposes it, `"btd,vd->btv"`).
    /// Returns the weight's owner name.
    public func projectionOwner(_ node: Node) -> String? {
        if node.type == "call" {
            let call = facts.callSite(node)
            if call.torchCallee == "torch.nn.functional.linear", let weight = call.argument("weight", position: 1) {
                return stackOwner(weight) ?? facts.ownerName(of: weight)
            }
            // A helper of the file that multiplies its input by the weight it is handed (`linear(h, self.c_fc.weight)`,
            // see `projectionHelperArguments`): the layer whose weight it is handed (a field, not a local tensor such as
            // the keys of `scores(q, k)`).
            if let (_, weight) = facts.projectionHelperArguments(call) {
                if let owner = stackOwner(weight) { return owner }
                return facts.unwrapped(weight).type == "attribute" ? facts.ownerName(of: weight) : nil
            }
            if let function = node.child(byField: "function"), facts.isReferenceChain(function),
               let module = facts.moduleConstructor(call.callee), isLinearConstructor(module) {
                return call.name
            }
            // An entry of a module dictionary whose selected entries are linear layers (see `moduleDictEntries`): owned by
            // its key (`self.proj["out"](y)`: `out`), or by the dictionary when the key is computed (`self.proj[n](x)`: `proj`).
            if let function = node.child(byField: "function").map(facts.unparenthesized), function.type == "subscript",
               let container = function.child(byField: "value"), facts.isReferenceChain(container),
               let key = function.child(byField: "subscript").map(facts.unparenthesized),
               let modules = facts.moduleDictEntries(container, key: key), modules.allSatisfy({ isLinearConstructor($0) }) {
                return SettingsTable.stringValue(key) ?? SettingsTable.bareName(of: container)
            }
        }
        if let (_, right) = facts.matmulOperands(node) {
            let right = facts.unparenthesized(right)
            // An einsum says by its spec (`"btd,vd->btv"` takes the right operand transposed).
            let transposed = facts.einsumProduct(node).map(\.rightTransposed)
                ?? ((right.type == "attribute" && ["T", "mT"].contains(right.child(byField: "attribute")?.text ?? ""))
                    || (right.type == "call" && ["t", "transpose"].contains(facts.callSite(right).name)))
            if !transposed {
                // A functional model stores weights (in, out) and multiplies untransposed: `h @ params["w_out"]`,
                // `x @ W_qkv`, where the weight is created as a tensor (`torch.randn(d, 3 * d) * 0.02`).
                guard ["subscript", "attribute", "identifier"].contains(right.type), let owner = facts.ownerName(of: right),
                      !facts.allSettings.settings(owner).isEmpty,
                      facts.allSettings.settings(owner).allSatisfy({ facts.isWeightTensor($0.value) }) else { return nil }
                return owner
            }
            guard let owner = facts.ownerName(of: right) else { return nil }
            let settings = facts.allSettings.settings(owner)
            let isWeight = embeddingNames.contains(owner) || settings.contains { s in
                facts.constructorCall(s.value).map { $0.torchCallee == "torch.nn.Parameter" || isLinearConstructor($0) } == true
            } || (!settings.isEmpty && settings.allSatisfy { facts.isWeightTensor($0.value) })
            return isWeight ? owner : nil
        }
        return nil
    }

    /// For one layer's slice of a stacked weight handed to a block function, the stack's attribute: a parameter of the
    /// function followed to what its callers pass (`w_out` in `def attention(x, w_qkv, w_out)`), a loop variable to the
    /// stack it walks (`for w_qkv, w_out in zip(self.w_qkv, self.w_out)`, also `torch.unbind(self.w_out)`), an index
    /// into the stack (`self.w_out[i]`). Nil unless every path leads to one attribute of `self` (`w_out`).
    public func stackOwner(_ weight: Node, depth: Int = 0) -> String? {
        let node = facts.unwrapped(weight)
        guard depth < 4 else { return nil }
        switch node.type {
        case "subscript":
            guard let value = node.child(byField: "value").map(facts.unwrapped), value.type == "attribute",
                  value.child(byField: "object")?.text == "self" else { return nil }
            return value.child(byField: "attribute")?.text
        case "call":
            // `self.w_out[i].to(x.dtype)`, `.type_as(x)`: the slice.
            let call = facts.callSite(node)
            guard let receiver = call.receiver, ["to", "type_as", "bfloat16", "float", "half", "t", "contiguous"].contains(call.name) else { return nil }
            return stackOwner(receiver, depth: depth + 1)
        case "identifier":
            if facts.parameterOwner(of: node) != nil {
                let passed = facts.callerArguments(of: node).map { stackOwner($0, depth: depth + 1) }
                guard let first = passed.first ?? nil, passed.allSatisfy({ $0 == first }) else { return nil }
                return first
            }
            let bindings = facts.dataflow.bindings(of: node.text, at: node)
            guard bindings.count == 1, case .iteration = bindings[0].kind else { return nil }
            var source = facts.unwrapped(facts.dataflow.iterationSource(bindings[0]))
            if source.type == "call", ["torch.unbind", "unbind"].contains(facts.callSite(source).callee) || facts.callSite(source).name == "unbind" {
                let call = facts.callSite(source)
                guard let inner = call.receiver ?? call.positional.first else { return nil }
                source = facts.unwrapped(inner)
            }
            guard source.type == "attribute", source.child(byField: "object")?.text == "self",
                  let name = source.child(byField: "attribute")?.text,
                  facts.isParameterAttribute(name)
            else { return nil }
            return name
        case "attribute" where node.child(byField: "object")?.text != "self":
            // A field of a record the model fills with the layer's slices (`F.linear(y, w.wo)` with `w` built as
            // `AttnWeights(..., self.o_bank[i])`, see `constructedFieldValues`): the stack every construction slices.
            let owners = facts.constructedFieldValues(node).map { stackOwner($0, depth: depth + 1) }
            guard let first = owners.first ?? nil, owners.allSatisfy({ $0 == first }) else { return nil }
            return first
        default:
            return nil
        }
    }

    /// Whether an expression names the output head (`self.lm_head`, `model.lm_head.weight`).
    public func isHead(_ node: Node) -> Bool {
        guard let owner = facts.ownerName(of: node) else { return false }
        return outputHeads.contains { $0.name == owner && !$0.usesEmbeddingWeight }
    }
}

extension PythonFacts {
    /// Whether a name is set somewhere to a parameter the module registers (`self.w_out = nn.Parameter(...)`), also
    /// one a helper of the file or a lambda builds (`bank = lambda *s: nn.Parameter(torch.empty(L, *s))`, `self.w_out =
    /// bank(d, d)`) or one the assignment declares as such (`self.w_out: nn.Parameter = ...`).
    func isParameterAttribute(_ name: String) -> Bool {
        allSettings.settings(name).contains { setting in
            if constructorCall(setting.value)?.torchCallee == "torch.nn.Parameter" { return true }
            if let declared = setting.site.child(byField: "type"), declared.text.split(separator: ".").last == "Parameter" { return true }
            let value = unwrapped(setting.value)
            guard value.type == "call", case let call = callSite(value),
                  let builder = targets(of: call).first ?? calledLambdaFunction(call) else { return false }
            return returnedValues(builder).contains { constructorCall($0)?.torchCallee == "torch.nn.Parameter" }
        }
    }

    /// The model view of this file (embeddings, linear classes, output heads).
    public func model() -> ModelView { modelView }

    // MARK: Classes

    /// Whether an assignment in a class's own `__init__` (a tie, `self.transformer.wte.weight = self.lm_head.weight` in
    /// `GPT.__init__`) is undone for every object the file builds: the class is never built itself (its name appears
    /// outside its body only among the bases of the file's classes, or in one of its subclasses as the object of a
    /// method call, `GPT.__init__(self, config)`, or an argument of `super(GPT, self)`), and each subclass the file
    /// builds or names (not only subclasses) has, itself or a class between it and the base, an `__init__` that runs
    /// the base's (`super().__init__(config)`,
    /// `GPT.__init__(self, config)`) and afterwards, in a statement it always runs, gives a member of `self` named by
    /// one of `sides` a new object (`self.transformer.wte = nn.Embedding(V, d)`, `self.lm_head = CastedLinear(d, V)`) by
    /// an assignment that is not itself one `tying` accepts (`nn.Parameter(self.lm_head.weight)` ties again).
    public func isUndoneBySubclasses(_ assignment: Node, sides: Set<String>, tying: (Node) -> Bool) -> Bool {
        guard let initializer = enclosingFunction(assignment), initializer.name == "__init__",
              let owner = enclosingClass(initializer.node), methods(of: owner).contains(where: { $0.node == initializer.node })
        else { return false }
        func isBase(_ m: Node) -> Bool { m.parent?.type == "argument_list" && m.parent?.parent?.type == "class_definition" }
        func inherits(_ c: Class) -> Bool { lineage(of: c).dropFirst().contains { $0.node == owner.node } }
        // A mention that stands for another class of the same name is not one of `owner`: the name of a later class
        // rebinding it (`class GPT(GPT)`), module code after that class, code in functions (which run once the module
        // has bound its last class of the name).
        func standsForOwner(_ m: Node) -> Bool {
            if let parent = m.parent, parent.type == "class_definition", parent.child(byField: "name") == m { return false }
            let meant = isModuleScope(m)
                ? classes.last(where: { $0.name == owner.name && $0.node.endByte <= m.startByte })
                : boundClass(named: owner.name)
            return meant.map { $0.node == owner.node } ?? true
        }
        // Never built itself: only a base, or the class whose methods a subclass calls by name.
        let mentions = (identifiersByName[owner.name] ?? []).filter { !isInside($0, owner.node) && standsForOwner($0) }
        guard mentions.allSatisfy({ m in
            if isBase(m) { return true }
            // `super(GPT, self).__init__(config)` in a subclass.
            if let call = m.parent?.parent, call.type == "call", callSite(call).callee == "super",
               let c = enclosingClass(m), inherits(c) { return true }
            guard let parent = m.parent, parent.type == "attribute", parent.child(byField: "object") == m,
                  let c = enclosingClass(m) else { return false }
            return inherits(c)
        }) else { return false }
        let built = classes.filter { c in
            inherits(c) && (identifiersByName[c.name] ?? []).contains { !isInside($0, c.node) && !isBase($0) }
        }
        guard !built.isEmpty else { return false }
        return built.allSatisfy { c in
            lineage(of: c).prefix(while: { $0.node != owner.node }).contains { replacesAfterBaseInit($0, sides: sides, tying: tying) }
        }
    }

    /// Whether an assignment in a class's own `__init__` (a tie, `self.transformer.wte.weight = self.lm_head.weight`) is
    /// undone from outside on every object the file builds of that class or of a subclass: each construction
    /// (`model = GPT(cfg)`, outside the class bodies) is followed, in the same scope and in a statement that runs once
    /// (module code, see `runsOnceAtModuleLevel`, or a function's, see `runsOnce(_:in:)`), by an assignment that gives a
    /// member named by one of `sides` of that object a new object (`model.transformer.wte = nn.Embedding(V, d)`,
    /// `model.lm_head = nn.Linear(d, V, bias=False)`, `model.transformer.wte.weight = nn.Parameter(torch.randn(V, d))`),
    /// the object read through the names it was moved into (`model.cuda()` aside, see `constructions(of:)`), and not
    /// itself one `tying` accepts (`model.transformer.wte.weight = model.lm_head.weight` ties again). A class built
    /// anywhere without such a replacement keeps the tie.
    public func isUndoneOnBuiltObjects(_ assignment: Node, sides: Set<String>, tying: (Node) -> Bool) -> Bool {
        guard let initializer = enclosingFunction(assignment), initializer.name == "__init__",
              let owner = enclosingClass(initializer.node), methods(of: owner).contains(where: { $0.node == initializer.node })
        else { return false }
        func inherits(_ c: Class) -> Bool { lineage(of: c).contains { $0.node == owner.node } }
        // Every object of the class (or of a subclass) the file builds, by name, outside the classes' bodies.
        let names = Set(classes.filter(inherits).map(\.name))
        let built = calls.filter { call in
            guard call.receiver == nil, names.contains(call.callee), let object = builtObject(call.node), inherits(object.owner)
            else { return false }
            return !classes.contains { isInside(call.node, $0.node) }
        }
        guard !built.isEmpty else { return false }
        // Constructions whose object gets a side replaced after being built.
        var undone = Set<Node>()
        for n in nodes(ofType: "assignment") where !tying(n) {
            guard let left = n.child(byField: "left"), left.type == "attribute", isReferenceChain(left),
                  let right = n.child(byField: "right").map(unwrapped), right.type == "call",
                  let side = ownerName(of: left), sides.contains(side), !classes.contains(where: { isInside(n, $0.node) }) else { continue }
            // Runs once where it stands.
            if let function = enclosingFunction(n) {
                guard runsOnce(n, in: function), mayRun(function.node) else { continue }
            } else {
                guard runsOnceAtModuleLevel(n) else { continue }
            }
            var root = left
            while root.type == "attribute", let object = root.child(byField: "object") { root = object }
            guard root.type == "identifier", root.text != "self" else { continue }
            for construction in constructions(of: root) where construction.type == "call" && construction.endByte <= n.startByte
                && enclosingFunction(construction)?.node == enclosingFunction(n)?.node {
                undone.insert(unwrapped(construction))
            }
        }
        return built.allSatisfy { undone.contains($0.node) }
    }

    /// Whether a statement in a method other than `__init__` (`def tie_weights(self): self.lm_head.weight = ...`) runs on
    /// none of the objects the file builds: every construction (outside the class bodies) is of a class that inherits
    /// the method's class and defines the method again without calling the original, so `self.tie_weights()` runs the
    /// override alone. False when the file builds no object of these classes.
    public func isOverriddenOnBuiltObjects(_ statement: Node) -> Bool {
        guard let method = enclosingFunction(statement), method.name != "__init__", let owner = enclosingClass(method.node),
              methods(of: owner).contains(where: { $0.node == method.node }) else { return false }
        let family = classes.filter { c in lineage(of: c).contains { $0.node == owner.node } }
        let names = Set(family.map(\.name))
        let built = calls.filter { call in
            call.receiver == nil && names.contains(call.callee) && !classes.contains { isInside(call.node, $0.node) }
        }
        guard !built.isEmpty else { return false }
        return built.allSatisfy { call in
            guard let object = builtObject(call.node), family.contains(where: { $0.node == object.owner.node }) else { return false }
            // The override must not run the original (`super().tie_weights()`, `BaseLM.tie_weights(self)`).
            guard let override = self.method(method.name, of: object.owner), override.node != method.node else { return false }
            return !descendants(of: override.node).contains { $0.type == "call" && callSite($0).name == method.name }
        }
    }

    /// Whether a class's own `__init__` runs a base class's `__init__` and, after it and in a statement it always runs,
    /// assigns a new object (a call) to a member of `self` whose owner name is one of `sides`, by an assignment `tying`
    /// does not accept (see `isUndoneBySubclasses`).
    func replacesAfterBaseInit(_ c: Class, sides: Set<String>, tying: (Node) -> Bool) -> Bool {
        guard let own = methods(of: c).first(where: { $0.name == "__init__" }) else { return false }
        let inside = descendants(of: own.node)
        guard let baseInit = inside.first(where: { n in
            guard n.type == "call", case let call = callSite(n), call.name == "__init__",
                  let receiver = call.receiver.map(unwrapped), runsOnce(n, in: own) else { return false }
            if receiver.type == "call" { return callSite(receiver).callee == "super" }
            return receiver.type == "identifier" && baseClass(named: receiver.text, of: c) != nil
        }) else { return false }
        return inside.contains { n in
            guard n.type == "assignment", n.startByte >= baseInit.endByte, runsOnce(n, in: own), !tying(n),
                  let left = n.child(byField: "left"), left.type == "attribute", left.text.hasPrefix("self."),
                  let right = n.child(byField: "right").map(unwrapped), right.type == "call",
                  let side = ownerName(of: left) else { return false }
            return sides.contains(side)
        }
    }

    func computeLinearClasses() -> Set<String> {
        let linear = Set(classes.filter { c in
            if c.bases.contains(where: { $0.hasSuffix("Linear") }) { return true }
            guard let forward = forwardMethods(of: c).first else { return false }
            return descendants(of: forward.node).contains { n in
                if n.type == "call", callSite(n).torchCallee == "torch.nn.functional.linear" { return true }
                if let (_, right) = matmulOperands(n) { return right.text.hasPrefix("self.") }
                return false
            }
        }.map(\.name))
        // Module functions that build a linear layer and return it (`def zeroed_linear(d_in, d_out): lin =
        // nn.Linear(d_in, d_out, bias=False); lin.weight.data.zero_(); return lin`): a call of one makes that layer.
        let factories = functions.filter { f in
            guard enclosingClass(f.node) == nil, case let returned = returnedValues(f).map(unparenthesized), !returned.isEmpty else { return false }
            return returned.allSatisfy { value in
                var made = value
                if made.type == "identifier", let held = latestValue(of: made.text, before: made) { made = unparenthesized(held) }
                guard made.type == "call", case let call = callSite(made) else { return false }
                return call.torchCallee == "torch.nn.Linear" || (call.receiver == nil && linear.contains(call.callee))
            }
        }
        return linear.union(factories.map(\.name))
    }

    /// Whether a call constructs an embedding table (`nn.Embedding(...)`, a file subclass of it, directly or through
    /// other classes of the file (`class VocabParallelEmbedding(nn.Embedding)`), a tensor-parallel table of a library
    /// (`tensor_parallel.VocabParallelEmbedding(...)`, fairscale's `ParallelEmbedding`) when the file defines no class
    /// of that name, or a module of the file holding no modules whose forward looks its input up in a table of its
    /// own, `F.embedding(ids, self.table)`).
    public func isEmbeddingConstructor(_ call: CallSite) -> Bool {
        if call.torchCallee == "torch.nn.Embedding" { return true }
        if Self.libraryEmbeddingClasses.contains(call.name), boundClass(named: call.name) == nil { return true }
        return call.receiver == nil && embeddingClasses.contains(call.callee)
    }

    /// Embedding tables of model-parallel libraries (Megatron-LM, fairscale), known by their class name.
    static let libraryEmbeddingClasses: Set<String> = ["VocabParallelEmbedding", "ParallelEmbedding"]

    /// Classes of the file that are embedding tables (see `isEmbeddingConstructor`).
    var embeddingClasses: Set<String> {
        memoized("embeddingClasses") {
            Set(classes.filter { c in
                if lineage(of: c).contains(where: { k in k.bases.contains(where: { $0 == "torch.nn.Embedding" || $0 == "nn.Embedding" }) }) {
                    return true
                }
                // A table holds no modules of its own (a whole model that starts with a lookup is not a table).
                if let initializer = initializer(of: c), descendants(of: initializer.node).contains(where: { n in
                    guard n.type == "call" else { return false }
                    let call = callSite(n)
                    return classNameSet.contains(call.callee)
                        || (call.torchCallee.hasPrefix("torch.nn.") && !call.torchCallee.hasPrefix("torch.nn.init.")
                            && !["torch.nn.Parameter", "torch.nn.parameter.Parameter"].contains(call.torchCallee))
                }) { return false }
                return forwardMethods(of: c).contains { forward in
                    descendants(of: forward.node).contains { n in
                        guard n.type == "call" else { return false }
                        let call = callSite(n)
                        return call.torchCallee == "torch.nn.functional.embedding"
                            && call.positional.dropFirst().first.map { $0.text.hasPrefix("self.") } == true
                    }
                }
            }.map(\.name))
        }
    }

    /// Whether a call constructs a per-token normalization module (`nn.RMSNorm`, `nn.LayerNorm`, or a file module
    /// whose forward normalizes).
    public func isNormConstructor(_ call: CallSite) -> Bool {
        if ["torch.nn.RMSNorm", "torch.nn.LayerNorm"].contains(call.torchCallee) { return true }
        // A class handed in by a parameter and built here (`norm_layer(head_dim)` with `norm_layer=RmsNorm` the default
        // or what the callers pass, see `Dataflow.heldClasses`): every class it may hold normalizes.
        if call.receiver == nil, boundClass(named: call.callee) == nil, let function = call.function.map(unwrapped),
           function.type == "identifier", parameterOwner(of: function) != nil {
            let held = dataflow.heldClasses(function, depth: 0)
            return !held.isEmpty && held.allSatisfy { name in
                boundClass(named: name).flatMap { forwardMethods(of: $0).first }.map { isNormFunction($0) } == true
            }
        }
        guard call.receiver == nil, let c = boundClass(named: call.callee),
              let forward = forwardMethods(of: c).first else { return false }
        // A wrapper class whose inherited forward runs the function the class hands its base (see `forwardDelegates`).
        return isNormFunction(forward) || forwardDelegates(of: c).contains { isNormFunction($0) }
    }

    /// Whether a function normalizes its input per token: it calls `F.rms_norm` / `F.layer_norm`, or computes a
    /// root mean square (`rsqrt` / `sqrt` of a mean or sum of squares), itself, in a Triton kernel it launches (also from
    /// the `forward` of an autograd function it applies), or in the wrapper a decorator of the file puts around it
    /// (`@rms_normalized(0, 1) def heads(self, x)`).
    public func isNormFunction(_ function: Function, depth: Int = 0) -> Bool {
        let inside = descendants(of: function.node)
        let callees = inside.filter { $0.type == "call" }.map { callSite($0) }
        if callees.contains(where: { ["torch.nn.functional.rms_norm", "torch.nn.functional.layer_norm", "torch.rms_norm"].contains($0.torchCallee) }) {
            return true
        }
        let root = callees.contains { ["rsqrt", "sqrt"].contains($0.name) }
        if root && inside.contains(where: takesMeanOrSum) { return true }
        // The L2 form returned: `t * (d ** 0.5 / torch.linalg.vector_norm(t, dim=-1, keepdim=True))`.
        if callees.contains(where: { ["norm", "vector_norm"].contains($0.name) }),
           returnedValues(function).contains(where: { value in ([value] + descendants(of: value)).contains { inlineNormInput($0) != nil } }) {
            return true
        }
        // The unit-length form returned, over the last axis: `F.normalize(x, dim=-1) * self.scale` (x-transformers'
        // `SimpleRMSNorm`, whose scale sqrt(d) makes it a root-mean-square norm).
        if returnedValues(function).contains(where: { value in ([value] + descendants(of: value)).contains { n in
            guard n.type == "call", case let call = callSite(n), call.torchCallee == "torch.nn.functional.normalize" else { return false }
            return call.argument("dim", position: 2).flatMap { self.value(of: $0)?.double } == -1
        } }) {
            return true
        }
        guard depth < 2 else { return false }
        // The wrapper its callers run in its place (see `decoratorWrappers`).
        if decoratorWrappers(of: function).contains(where: { isNormFunction($0, depth: depth + 1) }) { return true }
        // A kernel launched as `kernel[grid](...)`, a helper called from here, or the `forward` of an autograd function
        // of the file run by its `apply` (`RowRMS.apply(x, eps)` whose forward launches the kernel).
        for n in inside where n.type == "call" {
            guard let f = n.child(byField: "function") else { continue }
            // A compiled CUDA extension's function whose kernel takes a root mean square (see `cudaTakesRootMeanSquare`).
            if !extensionModuleNames.isEmpty, extensionLaunches(callSite(n)).contains(where: cudaTakesRootMeanSquare) { return true }
            if f.type == "attribute", f.child(byField: "attribute")?.text == "apply",
               autogradForwards(callSite(n)).contains(where: { $0.node != function.node && isNormFunction($0, depth: depth + 1) }) {
                return true
            }
            let name = f.type == "subscript" ? f.child(byField: "value")?.text : (f.type == "identifier" ? f.text : nil)
            if let name, let target = self.function(named: name).first(where: { $0.node != function.node }),
               isNormFunction(target, depth: depth + 1) {
                return true
            }
        }
        return false
    }

    /// A call that normalizes its first argument per token: `F.rms_norm(x, ...)`, `F.layer_norm`, a norm module
    /// (`self.embed_norm(x)`), or a function of the file that normalizes (`norm(x)`, `rmsnorm(x)`, also a
    /// lambda `norm = lambda t: F.rms_norm(t, ...)`).
    public func isNormCall(_ call: CallSite, depth: Int = 0) -> Bool {
        if ["torch.nn.functional.rms_norm", "torch.nn.functional.layer_norm", "torch.rms_norm"].contains(call.torchCallee) { return true }
        // A function of a compiled CUDA extension whose kernel normalizes by a root mean square (`ops.unit_rows(h, eps)`).
        if !extensionModuleNames.isEmpty, extensionLaunches(call).contains(where: cudaTakesRootMeanSquare) { return true }
        // An entry of a table of callables read by a key written there (`self.norms["embed"](x)` with `self.norms =
        // {"embed": rms, ...}`) or decided by the configuration (`self.embed_norm(x)` with `self.embed_norm =
        // NORMS[spec["embed"]["norm"]]`): that entry.
        if depth < 2, let entries = keyedCallees(call, keys: [:]), !entries.isEmpty { return entries.allSatisfy(isNormCallable) }
        if let module = moduleConstructor(call.callee), isNormConstructor(module) { return true }
        // A static function of whichever class a module name holds (`OPS.unit_rms(x)`, see `namespaceMethods`): every one
        // normalizes.
        if call.receiver != nil, case let methods = namespaceMethods(of: call), !methods.isEmpty {
            return methods.allSatisfy { isNormFunction($0) }
        }
        if call.receiver == nil || call.callee.hasPrefix("self."), call.name != "forward",
           let function = function(named: call.name).first {
            return isNormFunction(function)
        }
        if depth < 2, call.receiver == nil || call.callee.hasPrefix("self."), let written = lambdaBody(call.name) {
            let body = withoutCasts(written)
            return body.type == "call" && inlineNormInput(body) == nil ? isNormCall(callSite(body), depth: depth + 1) : inlineNormInput(body) != nil
        }
        return false
    }

    /// A call that takes a mean or a sum, the reduction a root mean square takes: `.mean(...)`, `.sum(...)` (any form),
    /// or einops' over the last axis alone (`reduce(x ** 2, "b h t c -> b h t 1", "mean")`, see `einopsReduction`).
    func takesMeanOrSum(_ node: Node) -> Bool {
        guard node.type == "call" else { return false }
        if ["mean", "sum"].contains(callSite(node).name) { return true }
        return einopsReduction(node).map { ["mean", "sum"].contains($0.reduction) && $0.lastAxisOnly } == true
    }

    /// Methods that change only a tensor's element type: a norm cast back to its input's type is still the norm.
    static let elementCasts: Set<String> = ["to", "type_as", "float", "bfloat16", "half"]

    /// An expression with the element-type casts around it removed (`(x * r).type_as(x)` -> `x * r`).
    public func withoutCasts(_ node: Node) -> Node {
        var n = unparenthesized(node)
        while n.type == "call", case let call = callSite(n), Self.elementCasts.contains(call.name), let receiver = call.receiver {
            n = unparenthesized(receiver)
        }
        return n
    }

    /// Whether a callable a dictionary holds normalizes what it is called on: a norm function of the file (`rms`), a norm
    /// module (`nn.RMSNorm(d)`), a torch norm function (`F.rms_norm`), or a lambda whose body does one of these or
    /// normalizes inline.
    public func isNormCallable(_ node: Node) -> Bool {
        let n = unwrapped(node)
        switch n.type {
        case "identifier", "attribute":
            if let function = function(named: n.text.lastDottedComponent).first, n.type == "identifier" { return isNormFunction(function) }
            if let module = moduleConstructor(n.text), isNormConstructor(module) { return true }
            var resolved = imports.qualifiedName(of: n) ?? n.text
            if resolved.hasPrefix("F.") { resolved = "torch.nn.functional." + resolved.dropFirst(2) }
            return ["torch.nn.functional.rms_norm", "torch.nn.functional.layer_norm", "torch.rms_norm"].contains(resolved)
        case "call":
            return constructorCall(n).map(isNormConstructor) == true
        case "lambda":
            guard let body = n.child(byField: "body").map(withoutCasts) else { return false }
            return body.type == "call" && inlineNormInput(body) == nil ? isNormCall(callSite(body)) : inlineNormInput(body) != nil
        default:
            return false
        }
    }

    /// For a normalization written out (`x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps)`,
    /// `x * torch.rsqrt(...)`, `x * (x * x).mean(-1, keepdim=True).rsqrt()`, the mean taken by einops over the last
    /// axis, `reduce(x ** 2, "b h t c -> b h t 1", "mean")`, the L2 form `x / x.norm(...)`), the tensor it normalizes:
    /// the operand read under the root.
    public func inlineNormInput(_ node: Node) -> Node? {
        let node = unparenthesized(node)
        let op: String, left: Node, right: Node
        if node.type == "binary_operator", let o = node.child(byField: "operator")?.type,
           let l = node.child(byField: "left").map(unparenthesized), let r = node.child(byField: "right").map(unparenthesized) {
            (op, left, right) = (o, l, r)
        } else if node.type == "call", case let call = callSite(node), ["mul", "div"].contains(call.name) {
            // The method and function forms: x.mul(torch.rsqrt(...)), torch.div(x, x.norm(...)).
            if let receiver = call.receiver, call.positional.count == 1 {
                (op, left, right) = (call.name == "mul" ? "*" : "/", unparenthesized(receiver), unparenthesized(call.positional[0]))
            } else if ["torch.mul", "torch.div"].contains(call.callee), call.positional.count == 2 {
                (op, left, right) = (call.name == "mul" ? "*" : "/", unparenthesized(call.positional[0]), unparenthesized(call.positional[1]))
            } else {
                return nil
            }
        } else {
            return nil
        }
        /// `sqrt(d) / x.norm(...)` (possibly cast or clamped): the L2 form's factor, whose product with x is an RMS norm.
        func isScaledInverseNorm(_ factor: Node, _ input: Node) -> Bool {
            var n = factor
            while n.type == "call", ["type_as", "to", "float", "bfloat16"].contains(callSite(n).name), let receiver = callSite(n).receiver {
                n = unparenthesized(receiver)
            }
            guard n.type == "binary_operator", n.child(byField: "operator")?.type == "/", let denominator = n.child(byField: "right") else { return false }
            let l2 = descendants(of: denominator).contains { $0.type == "call" && ["norm", "vector_norm"].contains(callSite($0).name) }
            return l2 && averagesSquareOf(denominator, input)
        }
        func isRoot(_ n: Node, _ names: Set<String>) -> Bool {
            guard n.type == "call" else { return false }
            let call = callSite(n)
            guard names.contains(call.name) else { return false }
            return descendants(of: n).contains(where: takesMeanOrSum)
        }
        func averagesSquareOf(_ root: Node, _ input: Node) -> Bool {
            // The input as read under the root, whatever element type either side casts it to (`x.float() * ...`).
            let name = compact(withoutCasts(input))
            return descendants(of: root).contains { ($0.type == "identifier" || $0.type == "attribute") && compact($0) == name }
        }
        switch op {
        case "/":
            if isRoot(right, ["sqrt"]), averagesSquareOf(right, left) { return left }
            // The L2 form: x / x.norm(dim=-1, keepdim=True), also clamped or offset: x / (x.norm(...) + eps).
            let l2 = descendants(of: right).contains { $0.type == "call" && ["norm", "vector_norm"].contains(callSite($0).name) }
            if l2, averagesSquareOf(right, left) { return left }
            return nil
        case "*":
            if isRoot(right, ["rsqrt"]), averagesSquareOf(right, left) { return left }
            if isRoot(left, ["rsqrt"]), averagesSquareOf(left, right) { return right }
            // x * (sqrt(d) / ||x||): the L2 norm scaled back to unit RMS.
            if isScaledInverseNorm(right, left) { return left }
            if isScaledInverseNorm(left, right) { return right }
            return nil
        default:
            return nil
        }
    }

    // MARK: Modules and parameters

    /// The constructor a module attribute or variable is set to (`self.lm_head = nn.Linear(...)` for `lm_head`,
    /// `wte=nn.Embedding(...)` in a `ModuleDict(dict(...))`), looked up by the bare name of a reference. A module chosen
    /// by a configured conditional (`Norm(d) if config.embedding_norm else nn.Identity()`) is the side the
    /// configuration selects (see `truth(of:)`), none when it cannot be decided.
    public func moduleConstructor(_ reference: String) -> CallSite? {
        let bare = reference.lastDottedComponent
        let settings = allSettings.settings(bare).filter { $0.source != .parameterDefault }
        // `self.phase` names what was assigned to `self.phase` before a local `phase` of some function.
        let attributes = reference.hasPrefix("self.") ? settings.filter { $0.written.hasPrefix("self.") } : []
        for setting in attributes + settings {
            var value = unwrapped(setting.value)
            if let parts = conditionalParts(value), let holds = truth(of: parts.test) { value = unwrapped(holds ? parts.value : parts.alternative) }
            if let call = constructorCall(value), call.callee != "dict" { return call }
        }
        // A module handed to the constructor (`self.q_norm = q_norm`, built by the caller: `Attention(...,
        // q_norm=RMSNorm(head_dim))`): what the calls of the function pass for that parameter (see `origins(of:)`).
        for setting in attributes + settings {
            let value = unwrapped(setting.value)
            guard value.type == "identifier", parameterOwner(of: value) != nil else { continue }
            for origin in origins(of: value) {
                if let call = constructorCall(unwrapped(origin)), call.callee != "dict" { return call }
            }
        }
        return nil
    }

    static let weightFactories: Set<String> = [
        "torch.randn", "torch.zeros", "torch.empty", "torch.rand", "torch.ones", "torch.nn.Parameter", "torch.normal",
    ]

    /// Whether a statement only runs under an `if` whose condition the script evaluates to false (a config flag
    /// set to False), or in the `else` of one that is true.
    /// Each condition is evaluated once per file (`ScriptInterpreter.value(of:)` keeps unbound values per file).
    public func isInDeadBranch(_ node: Node) -> Bool {
        var child = node
        for a in ancestors(of: node) {
            if a.type == "function_definition" || a.type == "class_definition" { break }
            if a.type == "if_statement", let condition = a.child(byField: "condition"), let v = interpretedNumber(condition) {
                if a.child(byField: "consequence") == child, v == 0 { return true }
                if child.type == "else_clause", v != 0 { return true }
            }
            child = a
        }
        return false
    }

    /// Whether two nodes of one function sit in different branches of the same `if` statement (its body, an `elif`,
    /// the `else`), with no loop around that statement in the function: a value given in one branch never reaches a
    /// read in another (`if targets is not None: loss = f(logits)` / `else: logits = head(x).float()`).
    public func inExclusiveBranches(_ a: Node, _ b: Node) -> Bool {
        var child = a
        for statement in ancestors(of: a) {
            if statement.type == "function_definition" || statement.type == "class_definition" { return false }
            defer { child = statement }
            guard statement.type == "if_statement", isInside(b, statement), child != statement.child(byField: "condition"),
                  let other = statement.namedChildren.first(where: { isInside(b, $0) }), other != child,
                  other != statement.child(byField: "condition") else { continue }
            return enclosingLoops(statement).isEmpty
        }
        return false
    }

    /// Whether a value assigned at `assignment` never reaches `read`: both lie in the same function (or at module level),
    /// the assignment comes after the read, and no loop of that function holds both (a later statement of a loop body
    /// runs again before the read of the next pass). `loss = F.cross_entropy(logits, y)` followed by `logits =
    /// logits.float()` reads the logits from before the cast.
    public func assignedAfter(_ assignment: Node, _ read: Node) -> Bool {
        guard assignment.startByte >= read.endByte,
              enclosingFunction(assignment)?.node == enclosingFunction(read)?.node else { return false }
        let readLoops = Set(enclosingLoops(read))
        return !enclosingLoops(assignment).contains { readLoops.contains($0) }
    }

    /// Whether a value creates a weight tensor: a tensor factory (scaled, cast, or wrapped in `nn.Parameter`), or a
    /// call of a helper or lambda of the file that makes one.
    public func isWeightTensor(_ value: Node, depth: Int = 0) -> Bool {
        for n in descendants(of: value) where n.type == "call" {
            let call = callSite(n)
            if Self.weightFactories.contains(call.callee) { return true }
            guard depth < 2, call.receiver == nil, !call.callee.contains("." as Character) else { continue }
            let bodies = function(named: call.name).compactMap(\.body)
                + localValues(of: call.name, around: n).filter { $0.type == "lambda" }
            if bodies.contains(where: { isWeightTensor($0, depth: depth + 1) }) { return true }
        }
        return false
    }

    /// Whether a value is one matrix created by a tensor factory (`torch.randn(V, d) * 0.02`,
    /// `nn.Parameter(torch.zeros(V, d))`, `.requires_grad_()` chains), not a list of them.
    public func isMatrixTensor(_ value: Node) -> Bool {
        let n = unparenthesized(value)
        if n.type == "binary_operator", ["*", "/"].contains(n.child(byField: "operator")?.type ?? "") {
            return [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0 }.contains(where: isMatrixTensor)
        }
        guard let call = constructorCall(n) else { return false }
        if call.callee == "torch.nn.Parameter", let inner = call.positional.first { return isMatrixTensor(inner) }
        return Self.weightFactories.contains(call.callee) && call.positional.count == 2
    }

    /// A functional model's token lookups: a weight matrix indexed by a tensor of ids (`params["wte"][idx]`,
    /// `emb[tokens]`), where the matrix is created by a tensor factory.
    var tableIndexLookups: [Node] {
        memoized("tableIndexLookups") {
            nodes.filter { n in
                guard n.type == "subscript", let table = n.child(byField: "value"), let index = n.child(byField: "subscript"),
                      ["identifier", "attribute"].contains(index.type), !enclosingLoops(n).contains(where: { loopVariables($0).contains(index.text) }),
                      let owner = ownerName(of: table) else { return false }
                let settings = allSettings.settings(owner).filter { $0.source != .parameterDefault }
                return !settings.isEmpty && settings.allSatisfy { isMatrixTensor($0.value) }
            }
        }
    }

    /// Bare names of token-embedding tables: attributes or variables set to an `nn.Embedding`, parameters
    /// used as the table of `F.embedding`, and weight matrices indexed by token ids.
    func computeEmbeddingNames() -> Set<String> {
        var names = Set<String>()
        for (name, settings) in allSettings.byName where settings.contains(where: { s in
            s.source != .parameterDefault && constructorCall(s.value).map(isEmbeddingConstructor) == true
        }) {
            names.insert(name)
        }
        // A table handed in through a constructor's parameter and kept in a field (`self.embed = embed`, built
        // `GPT(embed=nn.Embedding(V, d), ...)` by a wiring function): what the constructions pass; also a table the
        // model already holds, handed to a wrapper (`NormedLookup(model.transformer.wte)` in model surgery, also
        // `model.get_submodule("transformer.wte")`).
        let built = names
        for (name, settings) in allSettings.byName where !names.contains(name) && settings.contains(where: { s in
            guard s.source != .parameterDefault, s.written.hasPrefix("self."), case let value = unwrapped(s.value),
                  value.type == "identifier", parameterOwner(of: value) != nil else { return false }
            return origins(of: value).contains { origin in
                let origin = unwrapped(origin)
                if constructorCall(origin).map(isEmbeddingConstructor) == true { return true }
                if origin.type == "attribute", isReferenceChain(origin) { return SettingsTable.bareName(of: origin).map(built.contains) == true }
                // `model.get_submodule("transformer.wte")`: the path's last attribute.
                guard origin.type == "call", case let call = callSite(origin), call.name == "get_submodule", call.receiver != nil,
                      let path = call.positional.first.flatMap(SettingsTable.stringValue), let last = path.split(separator: ".").last else { return false }
                return built.contains(String(last))
            }
        }) {
            names.insert(name)
        }
        for call in calls where call.torchCallee == "torch.nn.functional.embedding" {
            if let table = call.argument("weight", position: 1), let name = ownerName(of: table) { names.insert(name) }
        }
        for lookup in tableIndexLookups {
            if let table = lookup.child(byField: "value"), let name = ownerName(of: table) { names.insert(name) }
        }
        return names
    }

    /// The output heads of the file: in every function that looks tokens up, its last projection (the logits);
    /// and linear layers shaped `d -> vocab` (the vocabulary of an embedding table, or at least eight times wider
    /// than their input and 10,000 wide).
    func computeOutputHeads(_ model: ModelView) -> [OutputHead] {
        var heads: [OutputHead] = []
        let embeddings = model.embeddingNames
        let lookupFunctions = model.embeddingLookupNodes.compactMap { enclosingFunction($0) }
        var seenFunctions = Set<Int>()
        for function in lookupFunctions where seenFunctions.insert(function.node.startByte).inserted {
            let projections = descendants(of: function.node).compactMap { n -> (Node, String)? in
                guard n.type == "call" || n.type == "binary_operator", let owner = model.projectionOwner(n),
                      enclosingFunction(n)?.node == function.node, !projectsToFew(owner, model) else { return nil }
                return (n, owner)
            }
            guard let last = projections.max(by: { a, b in
                a.0.endByte != b.0.endByte ? a.0.endByte < b.0.endByte : a.0.startByte > b.0.startByte
            }) else { continue }
            heads.append(OutputHead(name: last.1, node: last.0, function: function, usesEmbeddingWeight: embeddings.contains(last.1)))
        }
        // By shape.
        // Each vocabulary read once: its text, value and name are compared with every linear layer's output.
        let vocabularies = embeddingVocabularies.map { v in
            Vocabulary(compact: compact(v), value: evaluate(v), name: SettingsTable.bareName(of: v))
        }
        for (name, settings) in allSettings.byName.sorted(by: { $0.key < $1.key })
        where !embeddings.contains(name) && !heads.contains(where: { $0.name == name }) {
            for setting in settings where setting.source != .parameterDefault {
                // The layer a linear factory builds and returns (`lin` in `zeroed_linear`) is named where the
                // factory is called (`("lm_head", zeroed_linear(d, V))`).
                if setting.site.tree === tree, let builder = enclosingFunction(setting.site), enclosingClass(builder.node) == nil,
                   model.linearClasses.contains(builder.name) { continue }
                guard let call = constructorCall(setting.value), model.isLinearConstructor(call),
                      let input = call.argument("in_features", position: 0),
                      let output = call.argument("out_features", position: 1) else { continue }
                if isVocabulary(output, vocabularies) || {
                    guard let i = evaluate(input), let o = evaluate(output) else { return false }
                    return o >= 10_000 && o >= 8 * i
                }() {
                    heads.append(OutputHead(name: name, node: setting.site, function: nil, usesEmbeddingWeight: false))
                    break
                }
            }
        }
        return heads
    }

    /// Whether every linear layer a name is built as has a small, known output (`nn.Linear(d, 1)`, a gate or a scalar
    /// probe): no vocabulary is that small, so a call of it after the head is not the head.
    func projectsToFew(_ owner: String, _ model: ModelView) -> Bool {
        let layers = (allSettings.byName[owner] ?? []).compactMap { setting -> CallSite? in
            guard setting.source != .parameterDefault, let call = constructorCall(setting.value), model.isLinearConstructor(call) else { return nil }
            return call
        }
        return !layers.isEmpty && layers.allSatisfy { call in
            guard let output = call.argument("out_features", position: 1), let o = evaluate(output) else { return false }
            return o < 1_000
        }
    }

    /// The vocabulary-size arguments of the embedding tables.
    var embeddingVocabularies: [Node] {
        memoized("embeddingVocabularies") {
            calls.filter(isEmbeddingConstructor).compactMap { $0.argument("num_embeddings", position: 0) }
        }
    }

    /// An embedding table's vocabulary size as `isVocabulary` compares it.
    struct Vocabulary {
        let compact: String
        let value: Double?
        let name: String?
    }

    /// Whether an expression is a vocabulary size: the same value or expression as an embedding table's size,
    /// or computed from the same setting (`next_multiple_of_n(vocab_size, n=128)`).
    func isVocabulary(_ node: Node, _ vocabularies: [Vocabulary]) -> Bool {
        guard !vocabularies.isEmpty else { return false }
        let text = compact(node)
        var value: Double??
        for vocabulary in vocabularies {
            if vocabulary.compact == text { return true }
            if let a = vocabulary.value {
                if value == nil { value = .some(evaluate(node)) }
                if let b = value!, a == b { return true }
            }
            if let name = vocabulary.name,
               descendants(of: node).contains(where: { ($0.type == "identifier" || $0.type == "attribute") && SettingsTable.bareName(of: $0) == name }) {
                return true
            }
        }
        return false
    }
}

extension CallSite {
    /// The callee with the usual torch aliases read as torch even when the import table did not bind them
    /// (`nn.Linear` -> `torch.nn.Linear`, `F.linear` -> `torch.nn.functional.linear`).
    public var torchCallee: String {
        if callee.hasPrefix("nn.") { return "torch." + callee }
        if callee.hasPrefix("F.") { return "torch.nn.functional." + callee.dropFirst(2) }
        return callee
    }
}
