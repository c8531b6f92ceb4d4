import Parsing
import SourceModel
import TreeSitterKit

/// Members of an enumeration of the file read as the values they hold: `LogitHead.SNUG` with `SNUG = (15.0, "tanh")` in
/// the class body is that tuple; `.value[i]` reads its elements, a property of the enumeration reads them by name, and a
/// loop over the members (`for head in LogitHead:`) narrowed by tests to one member reads that member. In a method of an
/// enumeration, a local unpacked from `self.value` reads the element of the one member the file names (see
/// `enumerationSelfValueElement`).
extension PythonFacts {
    /// The enumeration of the file and the class-body value of the member an expression denotes: `LogitHead.SNUG`
    /// (see `enumerationMemberValue`), a module name set once to one (`HEAD_MODE = LogitHead.SNUG`), or a loop variable
    /// over members that the tests around the read narrow to one (see `loopMember`). Nil otherwise.
    func enumerationMember(_ node: Node, depth: Int = 0) -> (owner: Class, value: Node)? {
        let n = unwrapped(node)
        if n.type == "identifier", depth < 2, let member = loopMember(n, depth: depth) { return member }
        if n.type == "identifier", depth < 2, !isLocallyBound(n) {
            let module = allSettings.settings(n.text).filter { $0.source == .moduleAssignment && $0.written == n.text }
            return module.count == 1 ? enumerationMember(module[0].value, depth: depth + 1) : nil
        }
        guard n.type == "attribute", let value = enumerationMemberValue(n), let object = n.child(byField: "object").map(unwrapped),
              let owner = boundClass(named: object.text) else { return nil }
        return (owner, value)
    }

    /// The class-body value of the member a `case` pattern names (`case VocabPad.TO_128:`, read by the grammar as a
    /// `dotted_name`): nil for another pattern, or a name that is no member of an enumeration of the file.
    public func enumerationPatternValue(_ pattern: Node) -> Node? {
        guard pattern.type == "dotted_name" else { return nil }
        let parts = pattern.namedChildren.filter { $0.type == "identifier" }
        guard parts.count == 2, let owner = boundClass(named: parts[0].text), isEnumeration(owner) else { return nil }
        return classAttribute(parts[1].text, of: owner)
    }

    /// Whether a class of the file is an enumeration (it or a base of the file derives from `Enum`, `IntEnum`,
    /// `StrEnum`, `Flag` or `IntFlag`).
    public func isEnumeration(_ c: Class) -> Bool {
        lineage(of: c).contains { k in k.bases.contains { Self.enumerationBases.contains($0.lastDottedComponent) } }
    }

    /// Whether the file defines an enumeration.
    public var definesEnumerations: Bool { memoized("definesEnumerations") { classes.contains(where: isEnumeration) } }

    /// The expression of an enumeration member's class-body value that a read of it gives, when the member's value is
    /// a tuple of settings: `MEMBER.value[i]` (a literal index), or a property the enumeration defines whose one
    /// return is `self.value` or `self.value[i]` (`HEAD_MODE.bound` with `@property def bound(self): return
    /// self.value[0]` and `SNUG = (15.0, torch.float32)` gives `15.0`); the member may be written out or a module name
    /// set once to it (see `enumerationMember`). Nil for anything else (a computed property, an index the file does
    /// not write as a number).
    public func enumerationMemberRead(_ node: Node) -> Node? {
        let n = unwrapped(node)
        // `MEMBER.value[i]`.
        if n.type == "subscript", let inner = n.child(byField: "value").map(unwrapped), inner.type == "attribute",
           inner.child(byField: "attribute")?.text == "value", let object = inner.child(byField: "object"),
           let member = enumerationMember(object), let index = n.child(byField: "subscript") {
            return memberElement(member.value, index)
        }
        // A property of the enumeration read on a member.
        guard n.type == "attribute", let name = n.child(byField: "attribute")?.text, name != "value",
              let object = n.child(byField: "object"), let member = enumerationMember(object) else { return nil }
        return enumerationProperty(name, of: member)
    }

    /// The expression of a member's class-body value that property `name` of its enumeration gives (see
    /// `enumerationMemberRead`): the property's one return is `self.value` or `self.value[i]` (a literal index) and the
    /// member's value a tuple or list. Nil for a name that is no such property.
    func enumerationProperty(_ name: String, of member: (owner: Class, value: Node)) -> Node? {
        guard name != "value", let getter = method(name, of: member.owner),
              getter.decorators.contains(where: { $0.lastDottedComponent.hasSuffix("property") }) else { return nil }
        let me = getter.receiver ?? "self"
        let returned = returnedValues(getter)
        guard returned.count == 1 else { return nil }
        let r = unwrapped(returned[0])
        var read = r
        var index: Node?
        if r.type == "subscript", let inner = r.child(byField: "value").map(unwrapped) {
            read = inner
            index = r.child(byField: "subscript")
            guard index != nil else { return nil }
        }
        guard read.type == "attribute", read.child(byField: "attribute")?.text == "value",
              read.child(byField: "object").map(unwrapped)?.text == me else { return nil }
        return memberElement(member.value, index)
    }

    /// The element `index` (a literal integer) of a member's tuple or list value; the whole value without an index.
    func memberElement(_ value: Node, _ index: Node?) -> Node? {
        guard let index else { return value }
        let k = unwrapped(index)
        guard k.type == "integer", let i = Int(k.text) else { return nil }
        let tuple = unwrapped(value)
        guard ["tuple", "list"].contains(tuple.type) else { return nil }
        let items = tuple.namedChildren.filter { $0.type != "comment" }
        return i >= 0 && i < items.count ? items[i] : nil
    }

    /// The member a loop variable holds where `use` reads it, when the loop walks a table of members of an
    /// enumeration of the file (the keys of `{Slot.EMBED: ..., Slot.HIDDEN: ...}` walked by `.items()` or by itself, a
    /// tuple `(Span.LONG, Span.SHORT)`; see `loopRows`) and the tests around `use` inside the loop leave exactly one
    /// member: `if slot is Slot.HIDDEN:` (also `==`, `is not`, `!=`, `in (...)`, `not ...`) or a property of the
    /// member compared with a string or number (`if slot.rule == "adam":`, see `enumerationProperty`), in the branch
    /// `use` sits in (an `elif` or `else` also needs the earlier tests of its chain to fail). Nil when the loop walks
    /// no such table, a test on the way cannot be judged, or several members remain: a read there takes one value per
    /// member, which one member cannot stand for (see `perMemberReads`).
    func loopMember(_ use: Node, depth: Int) -> (owner: Class, value: Node)? {
        guard let remaining = loopMembers(use, depth: depth), remaining.count == 1 else { return nil }
        return remaining[0]
    }

    /// The members a loop variable over a table of members can hold where `use` reads it, in the table's order (see
    /// `loopMember`, which needs exactly one of them): every member the loop walks that the tests around `use` leave,
    /// including the `if` clauses of a comprehension that follow its `for` clause (`for s in (Span.LONG, Span.SHORT)
    /// if s is not Span.LONG`). Nil when the loop walks no table of members of an enumeration of the file, or a test on
    /// the variable cannot be judged.
    func loopMembers(_ use: Node, depth: Int) -> [(owner: Class, value: Node)]? {
        loopMemberRows(use.text, at: use, depth: depth)?.map { $0.member }
    }

    /// The rows of the loop binding `name` at `use` that the tests around `use` keep, each with the member of an
    /// enumeration of the file that `name` holds in it, in the table's order (see `loopMembers`, which gives the
    /// members only): `use` need not read `name` itself, so a construction made once per row (`for family, params in
    /// {Family.EMBED: ..., Family.HEAD: ...}.items(): if family.rule == "adam": Adam(params, ...)`) learns which rows
    /// reach it and the other variables' values there. Nil when the loop walks no table whose `name` is a member in
    /// every row, or a test on `name` cannot be judged.
    func loopMemberRows(_ name: String, at use: Node, depth: Int) -> [(row: LoopRow, member: (owner: Class, value: Node))]? {
        guard let loop = bindingLoop(of: name, at: use), let rows = loopRows(loop) else { return nil }
        var members: [(row: LoopRow, member: (owner: Class, value: Node))] = []
        for row in rows {
            guard let held = row.names[name].map(unwrapped), held.type == "attribute",
                  let member = enumerationMember(held, depth: depth + 1) else { return nil }
            members.append((row, member))
        }
        // The tests the path from the loop to `use` takes, with the outcome it needs of each.
        var tests: [(condition: Node, holds: Bool)] = []
        // A comprehension's clause holds none of its body: the walk stops at the comprehension.
        let scope = loop.type == "for_in_clause" ? loop.parent ?? loop : loop
        var child = use
        for ancestor in ancestors(of: use) {
            if ancestor == scope { break }
            if ancestor.type == "if_statement", ancestor.child(byField: "consequence") == child,
               let condition = ancestor.child(byField: "condition") {
                tests.append((condition, true))
            } else if ancestor.type == "elif_clause" || ancestor.type == "else_clause",
                      (ancestor.child(byField: "consequence") ?? ancestor.child(byField: "body")) == child,
                      let statement = ancestor.parent, statement.type == "if_statement" {
                if let condition = ancestor.child(byField: "condition") { tests.append((condition, true)) }
                if let condition = statement.child(byField: "condition") { tests.append((condition, false)) }
                for clause in statement.namedChildren where clause.type == "elif_clause" && clause.endByte <= ancestor.startByte {
                    if let condition = clause.child(byField: "condition") { tests.append((condition, false)) }
                }
            }
            child = ancestor
        }
        // A comprehension's `if` clauses after this `for` clause filter the rows its body sees.
        if loop.type == "for_in_clause", let comprehension = loop.parent {
            for clause in comprehension.namedChildren where clause.type == "if_clause" && clause.startByte >= loop.endByte {
                if let condition = clause.namedChildren.first(where: { $0.type != "comment" }) { tests.append((condition, true)) }
            }
        }
        // A test that does not read the variable (`if p.ndim >= 2:`) leaves every member.
        tests = tests.filter { test in ([test.condition] + descendants(of: test.condition)).contains { $0.type == "identifier" && $0.text == name } }
        var remaining: [(row: LoopRow, member: (owner: Class, value: Node))] = []
        for entry in members {
            var kept = true
            for test in tests {
                guard let holds = memberTest(test.condition, variable: name, member: entry.member) else { return nil }
                if holds != test.holds { kept = false; break }
            }
            if kept { remaining.append(entry) }
        }
        return remaining
    }

    /// What `v.prop` (a property of the enumeration, see `enumerationProperty`) or `v.value[i]` (a literal index, see
    /// `memberElement`) gives when `v`, named `variable`, holds `member`: `family.lr` with `lr` returning
    /// `self.value[1]` and `member` `TOKEN_TABLE = ("adam", 0.3, ...)` gives the node `0.3`. Nil for any other
    /// expression, or a read the member's value does not have.
    func memberRead(_ node: Node, variable: String, member: (owner: Class, value: Node)) -> Node? {
        let n = unwrapped(node)
        var read = n
        var index: Node?
        if n.type == "subscript", let inner = n.child(byField: "value").map(unwrapped) {
            guard let i = n.child(byField: "subscript") else { return nil }
            read = inner
            index = i
        }
        guard read.type == "attribute", let property = read.child(byField: "attribute")?.text,
              let object = read.child(byField: "object").map(unwrapped), object.type == "identifier", object.text == variable,
              index == nil || property == "value" else { return nil }
        return property == "value" ? memberElement(member.value, index) : enumerationProperty(property, of: member)
    }

    /// What a read of a loop variable over a table of enumeration members gives once per member the loop body sees
    /// (see `loopMembers`), in the table's order: `span.divisor` (a property of the enumeration, see
    /// `enumerationProperty`) or `span.value[i]` (a literal index) in `{span: build(w // span.divisor) for span in
    /// (Span.LONG, Span.SHORT)}` with `LONG = ("long", 1)`, `SHORT = ("short", 2)` and `divisor` returning
    /// `self.value[1]` gives the nodes `1` and `2`. A construction made once per row reads its own value in each
    /// row, which `enumerationMemberRead` cannot give when several members remain. Nil when the read is neither, its
    /// object is no such loop variable, or some member's value cannot be read.
    public func perMemberReads(_ node: Node) -> [Node]? {
        // The loop variable the read is made on (`span` of `span.divisor` or `span.value[1]`).
        let n = unwrapped(node)
        let read = n.type == "subscript" ? n.child(byField: "value").map(unwrapped) ?? n : n
        guard read.type == "attribute", let variable = read.child(byField: "object").map(unwrapped), variable.type == "identifier",
              let members = loopMembers(variable, depth: 0), !members.isEmpty else { return nil }
        var reads: [Node] = []
        for member in members {
            guard let value = memberRead(node, variable: variable.text, member: member) else { return nil }
            reads.append(value)
        }
        return reads
    }

    /// Whether `condition` holds when the loop variable `variable` holds `member` (see `loopMember`): `v is M`,
    /// `v == M`, `v is not M`, `v != M`, `v in (M1, M2)`, `v not in (...)` with enumeration members, `v.prop == "x"` /
    /// `!=` with a string or number (the property read as `enumerationProperty`), and `not` of one of these. Nil for
    /// any other condition, or a member or property this cannot read.
    func memberTest(_ condition: Node, variable: String, member: (owner: Class, value: Node)) -> Bool? {
        let c = unwrapped(condition)
        if c.type == "not_operator", let argument = c.child(byField: "argument") {
            return memberTest(argument, variable: variable, member: member).map { !$0 }
        }
        guard c.type == "comparison_operator" else { return nil }
        let operands = c.namedChildren.filter { $0.type != "comment" }.map(unwrapped)
        let op = c.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
        guard operands.count == 2 else { return nil }
        let negated = ["is not", "!=", "not in"].contains(op)
        guard ["is", "==", "in"].contains(op) || negated else { return nil }
        /// Whether an expression is this member (nil when it is no member of an enumeration of the file).
        func isMember(_ e: Node) -> Bool? {
            guard e.type == "attribute", let other = enumerationMemberValue(e) else { return nil }
            return other == member.value
        }
        if op == "in" || op == "not in" {
            guard operands[0].type == "identifier", operands[0].text == variable,
                  ["tuple", "list", "set"].contains(operands[1].type) else { return nil }
            let options = operands[1].namedChildren.filter { $0.type != "comment" }.map { isMember(unwrapped($0)) }
            guard !options.contains(where: { $0 == nil }) else { return nil }
            return options.contains(true) != negated
        }
        for (i, side) in operands.enumerated() {
            let other = operands[1 - i]
            if side.type == "identifier", side.text == variable {
                return isMember(other).map { $0 != negated }
            }
            if side.type == "attribute", side.child(byField: "object").map(unwrapped)?.text == variable,
               op == "==" || op == "!=", let name = side.child(byField: "attribute")?.text,
               let read = enumerationProperty(name, of: member).map(unwrapped) {
                if let text = SettingsTable.stringValue(read), let expected = SettingsTable.stringValue(other) {
                    return (text == expected) != negated
                }
                if let v = evaluate(read), let expected = evaluate(other) { return (v == expected) != negated }
                return nil
            }
        }
        return nil
    }

    /// The class-body value of the one member of an enumeration of the file that the file ever names: every use of
    /// the enumeration's name outside its class body is `Owner.MEMBER` for the same member (no lookup by value or by
    /// name, no iteration, no subclass, no other member), so `self` in a method of the enumeration can only be that
    /// member. Nil otherwise.
    func soleNamedMember(of owner: Class) -> Node? {
        guard isEnumeration(owner) else { return nil }
        var member: String?
        for use in identifiersByName[owner.name] ?? [] where !isInside(use, owner.node) {
            guard let read = use.parent, read.type == "attribute", read.child(byField: "object") == use,
                  let name = read.child(byField: "attribute")?.text, member == nil || member == name else { return nil }
            member = name
        }
        return member.flatMap { classAttribute($0, of: owner) }
    }

    /// What a local of a method of an enumeration of the file holds when the method unpacks `self.value` once, in
    /// straight-line code (`gate, power = self.value`, `power = self.value[1]`, `pair = self.value`) and `self` can
    /// only be one member (see `soleNamedMember`): that element of the member's class-body value (`2` for `power`
    /// with `SQUARED_RECT = ("relu", 2)`). Only reads of `self.value` in the enumeration's own (instance) methods;
    /// nil for anything else (several bindings, an index not written as a number, a member chosen at run time).
    public func enumerationSelfValueElement(_ n: Node) -> Node? {
        guard n.type == "identifier", let function = enclosingFunction(n), let me = function.parameters.first, n.text != me,
              !function.decorators.contains(where: { ["staticmethod", "classmethod"].contains($0.lastDottedComponent) }),
              let owner = enclosingClass(function.node), let body = owner.body else { return nil }
        let holder = function.node.parent?.type == "decorated_definition" ? function.node.parent?.parent : function.node.parent
        guard holder == body, let value = soleNamedMember(of: owner) else { return nil }
        let own = dataflow.bindings(of: n.text, at: n)
        guard own.count == 1, let binding = own.first, binding.site.type == "assignment", binding.site.endByte <= n.startByte,
              binding.site.parent?.type == "expression_statement", binding.site.parent?.parent == function.body else { return nil }
        func isSelfValue(_ read: Node) -> Bool {
            let r = unwrapped(read)
            return r.type == "attribute" && r.child(byField: "attribute")?.text == "value"
                && r.child(byField: "object").map { self.unwrapped($0).text } == me
        }
        func element(_ i: Int) -> Node? {
            let tuple = unwrapped(value)
            guard ["tuple", "list"].contains(tuple.type) else { return nil }
            let items = tuple.namedChildren.filter { $0.type != "comment" }
            return i >= 0 && i < items.count ? items[i] : nil
        }
        switch binding.kind {
        case .value:
            let right = unwrapped(binding.node)
            if isSelfValue(right) { return value }
            guard right.type == "subscript", let inner = right.child(byField: "value"), isSelfValue(inner),
                  let index = right.child(byField: "subscript").map(unwrapped), index.type == "integer", let i = Int(index.text)
            else { return nil }
            return element(i)
        case .element(let i):
            return isSelfValue(binding.node) ? element(i) : nil
        default:
            return nil
        }
    }
}
