import TreeSitterKit

/// Which class's code runs for `self`: Python's method resolution order over the file's classes, and the classes the
/// file may build. A base class's template method calling `self.momentum(step)` runs the override of the mixin the
/// built class lists first (`class Trainer(QuickRamp, BaseTrainer)`), and `self.adam_betas` reads the class attribute
/// of the first class in that order that sets it; a mixin's hook works with the other classes it is composed with.
extension PythonFacts {
    /// A class and the file's classes it inherits from, in Python's method resolution order (C3 linearization, the
    /// order `type.__mro__` gives, restricted to the file's classes: `class Trainer(RampMixin, BaseTrainer)` with
    /// `class RampMixin(BaseTrainer)` is Trainer, RampMixin, BaseTrainer); built once per class. Bases the file does not
    /// define (`nn.Module`, `object`) are left out. Where the bases admit no such order (Python refuses the class), the
    /// nearest-first order of a breadth-first walk.
    public func lineage(of owner: Class) -> [Class] {
        let index = memoized("lineages") {
            var index: [Node: [Class]] = [:]
            // Document order: a base is defined before the classes naming it, so its order is ready when asked.
            for c in classes where index[c.node] == nil { index[c.node] = computeLineage(of: c, known: index) }
            return index
        }
        return index[owner.node] ?? computeLineage(of: owner, known: index)
    }

    private func computeLineage(of owner: Class, known: [Node: [Class]]) -> [Class] {
        let bases = owner.bases.compactMap { baseClass(named: $0.lastDottedComponent, of: owner) }
        if bases.isEmpty { return [owner] }
        var sequences = bases.map { known[$0.node] ?? computeLineage(of: $0, known: known) } + [bases]
        var result = [owner]
        // C3 merge: take the first head that is in no other sequence's tail.
        while true {
            sequences.removeAll { $0.isEmpty }
            if sequences.isEmpty { return result }
            guard let head = sequences.lazy.map({ $0[0] }).first(where: { candidate in
                !sequences.contains { $0.dropFirst().contains { $0.node == candidate.node } }
            }) else { return breadthFirstLineage(of: owner) }
            result.append(head)
            for i in sequences.indices where sequences[i][0].node == head.node { sequences[i].removeFirst() }
        }
    }

    private func breadthFirstLineage(of owner: Class) -> [Class] {
        var result = [owner]
        var index = 0
        while index < result.count, result.count < 16 {
            for base in result[index].bases {
                if let c = baseClass(named: base.lastDottedComponent, of: result[index]), !result.contains(where: { $0.node == c.node }) {
                    result.append(c)
                }
            }
            index += 1
        }
        return result
    }

    /// Classes of the file whose instances the file may make: those whose name is read anywhere other than in the
    /// base list of a class statement or as the class of a type test (a construction `Trainer(args)`, a class handed on
    /// `model_cls=GPT`, filed in a table). A class only ever named as a base (`BaseTrainer`, a mixin) or tested with
    /// `isinstance` is never instantiated by itself.
    private var possiblyInstantiated: Set<Node> {
        memoized("possiblyInstantiated") {
            let byName = Dictionary(grouping: classes, by: \.name)
            var result: Set<Node> = []
            for identifier in nodes(ofType: "identifier") {
                guard let named = byName[identifier.text] else { continue }
                if let parent = identifier.parent {
                    if parent.type == "class_definition", parent.child(byField: "name") == identifier { continue }
                    if parent.type == "argument_list", parent.parent?.type == "class_definition" { continue }
                    // A type test builds nothing (`isinstance(m, TablesMixin)`, also in a tuple of classes).
                    let list = parent.type == "tuple" ? parent.parent : parent
                    if list?.type == "argument_list", let call = list?.parent, call.type == "call",
                       ["isinstance", "issubclass"].contains(call.child(byField: "function")?.text ?? "") { continue }
                    // Nor does an annotation (`def build(cfg) -> Scheduler:`, `sched: Optional[Scheduler]`).
                    var current: Node? = parent
                    var annotated = false
                    for _ in 0..<6 {
                        guard let c = current else { break }
                        if c.type == "type" { annotated = true; break }
                        if ["block", "module", "call", "function_definition", "class_definition"].contains(c.type) { break }
                        current = c.parent
                    }
                    if annotated { continue }
                }
                // The class the name stands for at that point: the last of that name defined before it (or the last).
                let bound = named.last { $0.node.endByte <= identifier.startByte } ?? named.last!
                result.insert(bound.node)
            }
            return result
        }
    }

    /// The classes whose instances `self` may be in a method written in `owner`: the file's classes that have `owner` in
    /// their method resolution order and may be instantiated (see `possiblyInstantiated`). Empty when the file
    /// instantiates none of them (a class a library builds): then only `owner`'s own order is known.
    public func dispatchClasses(of owner: Class) -> [Class] {
        let index = memoized("dispatchClasses") { () -> [Node: [Class]] in
            var index: [Node: [Class]] = [:]
            for c in classes where possiblyInstantiated.contains(c.node) {
                for ancestor in lineage(of: c) { index[ancestor.node, default: []].append(c) }
            }
            return index
        }
        return index[owner.node] ?? []
    }

    /// The classes whose code runs on the same instances as a method written in `owner`: the method resolution orders of
    /// the classes `self` may be an instance of (see `dispatchClasses`), in order and each once; `owner`'s own order when
    /// the file builds none. A mixin's hook (`HalfFreqMixin.frequencies`) works together with the base class and
    /// the other mixins of the class it is composed into, not only with its own bases.
    public func composedClasses(of owner: Class) -> [Class] {
        let dispatch = dispatchClasses(of: owner)
        if dispatch.isEmpty { return lineage(of: owner) }
        var seen: Set<Node> = []
        return dispatch.flatMap { lineage(of: $0) }.filter { seen.insert($0.node).inserted }
    }

    /// The method `self.name` finds in a method written in `owner`, when every class `self` may be an instance of (see
    /// `dispatchClasses`) finds the same one: a base class's template method calling a hook a mixin overrides
    /// (`self.momentum(step)` in `BaseTrainer.apply_momentum`, with only `class Trainer(RampMixin, BaseTrainer)`
    /// built, runs `RampMixin.momentum`). Nil when no such class is instantiated, none finds the method, or they
    /// find different ones.
    public func dispatchedMethod(_ name: String, in owner: Class) -> Function? {
        var found: Function?
        for c in dispatchClasses(of: owner) {
            guard let m = method(name, of: c) else { return nil }
            if let f = found, f.node != m.node { return nil }
            found = m
        }
        return found
    }

    /// The class attribute `self.name` reads in a method written in `owner` when no method assigns the field: the
    /// value the classes `self` may be an instance of find first in their method resolution order, when they all find
    /// the same (`self.adam_betas` in `BaseTrainer.adam_kwargs` reads `SnappierAdamMixin.adam_betas` when `class
    /// Trainer(SnappierAdamMixin, BaseTrainer)` is the one built); else the one `owner`'s own order finds.
    public func dispatchedClassAttribute(_ name: String, in owner: Class) -> Node? {
        var found: Node?
        for c in dispatchClasses(of: owner) {
            guard let value = classAttribute(name, of: c) else { found = nil; break }
            if let f = found, f != value { found = nil; break }
            found = value
        }
        return found ?? classAttribute(name, of: owner)
    }
}
