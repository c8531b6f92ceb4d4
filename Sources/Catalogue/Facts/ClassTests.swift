import Parsing
import SourceModel
import TreeSitterKit

/// A class a condition tests an object for (see `PythonFacts.classesTested(by:)`): the last part of its name, and
/// whether the test also admits its subclasses (`isinstance(m, C)`) or only that exact class (`type(m) is C`,
/// `type(m).__name__ == "C"`).
public struct ClassTest: Hashable, Sendable {
    public let name: String
    public let admitsSubclasses: Bool
}

extension PythonFacts {
    /// The classes a condition selects an object by, counting only tests that select it (none under a `not` inside the
    /// condition, a `not` around it being the caller's to read, as `conditionsHeld` does; `is not`,
    /// `!=` and `not in` are not read): `isinstance(m, C)` / `isinstance(m, (C, D))` (the tuple also held by a name or
    /// an attribute, `isinstance(m, self.master_types)`), `type(m) is C`, `type(m) == C`, `type(m) in (C, D)`,
    /// `m.__class__ is C`, and tests of the class's name: `type(m).__name__ == "C"`, `m.__class__.__name__ in names`,
    /// the names written there or held by a local, a name or a configuration entry, also through `set(...)` /
    /// `frozenset(...)` / `list(...)` / `tuple(...)` / `sorted(...)` (`keep = set(plan["fp32_storage"])` with
    /// `"fp32_storage": ["CastedLinear"]`). A test of the exact class (`type(...)`, `__class__`) does not admit subclasses.
    /// A predicate of the file called in the condition (`Policy.keeps_fp32(m)`, `is_master(m)`) tests what its
    /// returns test; the class tuple may be a copy of a registry its subclasses join when declared
    /// (`isinstance(m, tuple(Policy._fp32_classes))`, see `subclassRegistrations`).
    public func classesTested(by condition: Node) -> Set<ClassTest> { classesTested(by: condition, depth: 0) }

    /// The classes an element picked out of a sequence by a class test must have: `next(o for o in opts if
    /// isinstance(o, Muon))`, `[o for o in opts if isinstance(o, Muon)][0]`, also through a name set once to such a
    /// pick (`muon = next(...)`). Nil for anything else, and for a pick that tests something other than the element.
    public func selectedClasses(of node: Node) -> Set<String>? {
        var n = unwrapped(node)
        if n.type == "identifier" {
            guard let value = heldValue(of: n.text, at: n) else { return nil }
            n = unwrapped(value)
        }
        var comprehension: Node?
        // `next(o for o in opts if ...)`: the generator is the call's whole argument list.
        if n.type == "call", callSite(n).callee == "next", let arguments = n.child(byField: "arguments"), arguments.type == "generator_expression" {
            comprehension = arguments
        } else if n.type == "call", callSite(n).callee == "next", let first = callSite(n).positional.first.map(unwrapped),
                  ["generator_expression", "list_comprehension"].contains(first.type) {
            comprehension = first
        } else if n.type == "subscript", let value = n.child(byField: "value").map(unwrapped), value.type == "list_comprehension",
                  n.child(byField: "subscript").flatMap({ self.value(of: $0)?.double }) == 0 {
            comprehension = value
        }
        guard let comprehension, let body = comprehension.child(byField: "body").map(unwrapped), body.type == "identifier" else { return nil }
        let clauses = comprehension.namedChildren.filter { $0.type == "for_in_clause" }
        guard clauses.count == 1, clauses[0].child(byField: "left")?.text == body.text else { return nil }
        let tests = comprehension.namedChildren.filter { $0.type == "if_clause" }
        let classes = tests.flatMap { test in test.namedChildren.flatMap { classesTested(by: $0) } }
        guard !classes.isEmpty, tests.allSatisfy({ test in
            descendants(of: test).contains { $0.type == "identifier" && $0.text == body.text }
        }) else { return nil }
        return Set(classes.map(\.name))
    }

    private func classesTested(by condition: Node, depth: Int) -> Set<ClassTest> {
        var found = Set<ClassTest>()
        guard condition.type != "not_operator" else { return found }
        for n in descendants(of: condition) {
            // A negated test (`not isinstance(m, C)`) selects the other objects.
            if n != condition, ancestors(of: n).prefix(while: { $0 != condition }).contains(where: { $0.type == "not_operator" }) { continue }
            if n.type == "call", callSite(n).callee == "isinstance", let kinds = callSite(n).positional.dropFirst().first {
                for item in classItems(kinds) { found.insert(ClassTest(name: item.text.lastDottedComponent, admitsSubclasses: true)) }
                continue
            }
            // A predicate function or method of the file: the tests its returns make.
            if n.type == "call", depth < 2 {
                for target in targets(of: callSite(n)) where !isInside(condition, target.node) {
                    for value in returnedValues(target) { found.formUnion(classesTested(by: value, depth: depth + 1)) }
                }
                continue
            }
            guard n.type == "comparison_operator", n.namedChildren.count == 2,
                  let op = n.children.first(where: { !$0.isNamed })?.type, ["==", "is", "in"].contains(op) else { continue }
            let sides = n.namedChildren.map(unparenthesized)
            // `in` tests its left side; `==` and `is` may be written either way round.
            let orders = op == "in" ? [(sides[0], sides[1])] : [(sides[0], sides[1]), (sides[1], sides[0])]
            for (subject, other) in orders {
                if isClassOf(subject) {
                    for item in classItems(other) { found.insert(ClassTest(name: item.text.lastDottedComponent, admitsSubclasses: false)) }
                } else if subject.type == "attribute", subject.child(byField: "attribute")?.text == "__name__",
                          let object = subject.child(byField: "object").map(unparenthesized), isClassOf(object) {
                    for name in classNameStrings(other, depth: 0) { found.insert(ClassTest(name: name.lastDottedComponent, admitsSubclasses: false)) }
                }
            }
        }
        return found
    }

    /// `type(x)` or `x.__class__`: the exact class of an object.
    private func isClassOf(_ node: Node) -> Bool {
        if node.type == "call", callSite(node).callee == "type", callSite(node).positional.count == 1 { return true }
        return node.type == "attribute" && node.child(byField: "attribute")?.text == "__class__"
    }

    /// The class expressions a class test names: the class, or the items of a tuple, list or set written there or
    /// held by a name or an attribute (`master_types = (CastedLinear,)`), also through a copy (`tuple(masters)`), and
    /// the classes a registry held there is filled with as they are declared (see `subclassRegistrations`).
    private func classItems(_ kinds: Node) -> [Node] {
        let containers: Set<String> = ["tuple", "list", "set"]
        var kinds = unparenthesized(kinds)
        while kinds.type == "call", case let copy = callSite(kinds), ["tuple", "list", "set", "frozenset"].contains(copy.callee),
              copy.positional.count == 1, copy.keywords.isEmpty {
            kinds = unparenthesized(copy.positional[0])
        }
        let written = containers.contains(kinds.type) ? kinds.namedChildren : [kinds]
        let names = written.filter { $0.type == "identifier" || $0.type == "attribute" }
        let held = names.flatMap { origins(of: $0) }
            .map(unparenthesized).flatMap { containers.contains($0.type) ? $0.namedChildren : [$0] }
        return (written + held).filter { $0.type == "identifier" || $0.type == "attribute" } + names.flatMap { subclassRegistrations(of: $0) }
    }

    /// The classes of the file a registry (a list or set held by a name or an attribute) is filled with when they are
    /// declared: a base class's `__init_subclass__` that appends (or adds) the new class to a registry of that name
    /// (`Policy._fp32_classes.append(cls)`) registers every subclass of the file, and, under `if flag:` with `flag` a
    /// parameter of `__init_subclass__`, only those whose class statement passes it a true value (`class
    /// CastedLinear(Policy, nn.Linear, master_fp32=True)`). A registration under any other condition registers none.
    /// The nodes of the registered classes' names.
    func subclassRegistrations(of registry: Node) -> [Node] {
        guard let key = SettingsTable.bareName(of: registry) else { return [] }
        var found: [Node] = []
        for hook in functions where hook.name == "__init_subclass__" {
            guard let base = enclosingClass(hook.node), let owner = hook.parameters.first else { continue }
            for n in descendants(of: hook.node) where n.type == "call" {
                let call = callSite(n)
                guard ["append", "add"].contains(call.name), let receiver = call.receiver.map(unparenthesized),
                      SettingsTable.bareName(of: receiver) == key, call.positional.count == 1,
                      unparenthesized(call.positional[0]).text == owner else { continue }
                // Every `if` around the registration must test a flag parameter, the registration in its body.
                var flags: [String] = []
                var understood = true
                var child = n
                for a in ancestors(of: n) {
                    if a == hook.node { break }
                    defer { child = a }
                    guard ["if_statement", "else_clause", "elif_clause", "conditional_expression", "for_statement", "while_statement",
                           "try_statement", "with_statement", "match_statement"].contains(a.type) else { continue }
                    guard a.type == "if_statement", a.child(byField: "consequence") == child,
                          let condition = a.child(byField: "condition").map(unparenthesized), condition.type == "identifier",
                          hook.parameters.dropFirst().contains(condition.text) else { understood = false; break }
                    flags.append(condition.text)
                }
                guard understood else { continue }
                for c in classes where c.node != base.node && lineage(of: c).contains(where: { $0.node == base.node }) {
                    let keywords = c.node.child(byField: "superclasses")?.namedChildren.filter { $0.type == "keyword_argument" } ?? []
                    let passes = flags.allSatisfy { flag in
                        keywords.contains { k in k.child(byField: "name")?.text == flag && k.child(byField: "value").map { isTruthy($0) } == true }
                    }
                    if passes, let name = c.node.child(byField: "name"), !found.contains(name) { found.append(name) }
                }
            }
        }
        return found
    }

    /// The strings a test of a class's name compares with: a string, a list / tuple / set of strings, `set(x)` and
    /// the like, or a local, a name, an attribute or a configuration entry set to one of those.
    private func classNameStrings(_ node: Node, depth: Int) -> [String] {
        let n = unparenthesized(node)
        guard depth < 6 else { return [] }
        switch n.type {
        case "string":
            return SettingsTable.stringValue(n).map { [$0] } ?? []
        case "list", "tuple", "set":
            return n.namedChildren.flatMap { classNameStrings($0, depth: depth + 1) }
        case "call":
            let call = callSite(n)
            guard ["set", "frozenset", "list", "tuple", "sorted"].contains(call.callee), call.positional.count == 1 else { return [] }
            return classNameStrings(call.positional[0], depth: depth + 1)
        case "identifier", "attribute", "subscript":
            // A local first (`keep = set(...)` just above the loop), else every setting of the name or key (the
            // configuration entry `"fp32_storage": ["CastedLinear"]` read as `plan["fp32_storage"]`).
            if n.type == "identifier", enclosingFunction(n) != nil, let value = latestValue(of: n.text, before: n) {
                return classNameStrings(value, depth: depth + 1)
            }
            guard let name = SettingsTable.bareName(of: n) else { return [] }
            return allSettings.settings(name).filter { !isInside(n, $0.value) }.flatMap { classNameStrings($0.value, depth: depth + 1) }
        default:
            return []
        }
    }
}

extension PythonFacts {
    /// For an overload of a `functools.singledispatch` function of the file (`@to_storage.register` over `def _(m:
    /// nn.Embedding)`, a union annotation `nn.Embedding | Table`, or `@to_storage.register(nn.Embedding)`; a
    /// `singledispatchmethod` dispatches on the parameter after the receiver), the parameter it dispatches on and the
    /// classes it is registered for: its body runs only for instances of them (subclasses too), as under
    /// `isinstance(m, C)`. Nil for any other function, and for an overload of a generic function that the file never
    /// reads except to register overloads (never called nor handed on, as to `model.apply`).
    public func singledispatchOverload(_ function: Node) -> (parameter: String, classes: Set<ClassTest>)? {
        guard function.type == "function_definition", let decorated = function.parent, decorated.type == "decorated_definition",
              let overload = functions.first(where: { $0.node == function }) else { return nil }
        for decorator in decorated.namedChildren where decorator.type == "decorator" {
            guard let expression = decorator.namedChild(0).map(unparenthesized) else { continue }
            let registration = expression.type == "call" ? expression.child(byField: "function") : expression
            guard let registration, registration.type == "attribute", registration.child(byField: "attribute")?.text == "register",
                  let generic = registration.child(byField: "object"), generic.type == "identifier" || generic.type == "attribute",
                  let genericName = generic.type == "identifier" ? generic.text : generic.child(byField: "attribute")?.text,
                  let base = functions.first(where: { f in
                      f.name == genericName && f.decorators.contains { ["singledispatch", "singledispatchmethod"].contains($0.lastDottedComponent) }
                  }) else { continue }
            let index = base.decorators.contains { $0.lastDottedComponent == "singledispatchmethod" } ? 1 : 0
            guard index < overload.parameters.count else { continue }
            // The classes: `register(C)`'s argument, else the dispatched parameter's annotation.
            var kinds: [Node] = []
            if expression.type == "call" {
                guard let first = callSite(expression).positional.first else { continue }
                kinds = [first]
            } else {
                let written = function.child(byField: "parameters")?.namedChildren.filter { $0.type != "comment" } ?? []
                guard index < written.count, let annotation = written[index].child(byField: "type")?.namedChild(0) else { continue }
                kinds = [annotation]
            }
            var names: [Node] = []
            while let kind = kinds.popLast().map(unparenthesized) {
                if kind.type == "binary_operator", kind.child(byField: "operator")?.type == "|" {
                    kinds += [kind.child(byField: "left"), kind.child(byField: "right")].compactMap { $0 }
                } else if kind.type == "identifier" || kind.type == "attribute" {
                    names.append(kind)
                } else {
                    names = []
                    break
                }
            }
            guard !names.isEmpty else { continue }
            // The generic function is read somewhere other than its definition and the registrations.
            let used = nodes(ofType: "identifier").contains { use in
                use.text == genericName && use.parent != base.node && !ancestors(of: use).contains { $0.type == "decorator" }
            }
            guard used else { continue }
            return (overload.parameters[index], Set(names.map { ClassTest(name: $0.text.lastDottedComponent, admitsSubclasses: true) }))
        }
        return nil
    }
}
