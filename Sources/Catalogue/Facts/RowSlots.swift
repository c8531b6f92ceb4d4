import Parsing
import TreeSitterKit

/// Optimizer slots of optimizers built once per row of something: per construction of a record class whose method
/// builds the optimizer from its fields, and per row of a table a loop walks (see `PythonFacts.optimizerSlots(model:)`).
extension PythonFacts {
    /// For an optimizer built in a method of a class of the file from the instance's own fields (`OptimSpec("embed",
    /// [wte.weight], lr=0.3)` with `def build(self): if self.kind == "adam": return Adam(self.params, lr=self.lr)`), one
    /// slot per construction of the class whose field tests (`self.kind == "adam"`, `not self.ortho`) reach the
    /// optimizer's construction: the parameters and the rate that construction gives the fields (see
    /// `fieldExpression`), the construction being its site. Nil when the parameters are no field of `self`, or the
    /// class is built fewer than twice.
    func recordMethodSlots(_ optimizer: OptimizerUse, params: Node, rate: Node?, ownLR: [Double], model: ModelView) -> [OptimizerSlot]? {
        let field = unwrapped(params)
        guard field.type == "attribute", field.child(byField: "object")?.text == "self", let name = field.child(byField: "attribute")?.text,
              let method = enclosingFunction(optimizer.call.node), method.receiver == "self" || method.parameters.first == "self",
              let owner = enclosingClass(method.node), case let built = constructions(of: owner), built.count > 1 else { return nil }
        func selfField(_ node: Node) -> String? {
            let n = unwrapped(node)
            guard n.type == "attribute", n.child(byField: "object")?.text == "self" else { return nil }
            return n.child(byField: "attribute")?.text
        }
        /// A test of the instance's fields, with the values one construction gives them.
        func holds(_ condition: Node, _ construction: CallSite) -> Bool? {
            let c = unwrapped(condition)
            if c.type == "not_operator" { return c.child(byField: "argument").flatMap { holds($0, construction) }.map { !$0 } }
            if c.type == "comparison_operator" {
                let parts = c.namedChildren.filter { $0.type != "comment" }
                let operators = c.children.filter { !$0.isNamed }.map(\.type)
                guard parts.count == 2, operators.count == 1, ["==", "!="].contains(operators[0]), let f = selfField(parts[0]),
                      let given = fieldExpression(construction.node, f).flatMap({ SettingsTable.stringValue(unwrapped($0)) }),
                      let other = SettingsTable.stringValue(unwrapped(parts[1])) else { return nil }
                return (given == other) == (operators[0] == "==")
            }
            guard let f = selfField(c), let given = fieldExpression(construction.node, f).map(unwrapped) else { return nil }
            switch given.type {
            case "true": return true
            case "false", "none": return false
            default: return SettingsTable.stringValue(given).map { !$0.isEmpty } ?? evaluate(given).map { $0 != 0 }
            }
        }
        var slots: [OptimizerSlot] = []
        for construction in built {
            guard let given = fieldExpression(construction.node, name) else { continue }
            // The tests around the optimizer's construction in the method, and the returns before it.
            var reached = true
            var child = optimizer.call.node
            while let parent = child.parent, parent != method.node {
                defer { child = parent }
                guard parent.type == "if_statement" else { continue }
                let clauses = [parent] + parent.children.filter { $0.type == "elif_clause" || $0.type == "else_clause" }
                let holding = clauses.last { $0.type != "if_statement" && isInside(optimizer.call.node, $0) } ?? parent
                for clause in clauses {
                    let result = clause.child(byField: "condition").flatMap { holds($0, construction) }
                    if clause == holding {
                        if clause.type != "else_clause", result == false { reached = false }
                        break
                    }
                    if result == true { reached = false; break }
                }
            }
            for statement in descendants(of: method.node) where statement.type == "if_statement" && statement.endByte <= optimizer.call.node.startByte
                && !isInside(optimizer.call.node, statement) && enclosingFunction(statement)?.node == method.node {
                // `if self.kind == "adam": return Adam(...)` before a Muon: a construction whose test holds returned there.
                guard let body = statement.child(byField: "consequence"), body.namedChildren.last?.type == "return_statement",
                      let condition = statement.child(byField: "condition"), holds(condition, construction) == true else { continue }
                reached = false
            }
            guard reached else { continue }
            var rates = ownLR
            if let rate, let f = selfField(rate), let value = fieldExpression(construction.node, f) { rates = learningRates(value) }
            slots.append(OptimizerSlot(optimizer: optimizer, params: given, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                       kinds: parameterKinds(given, model: model), site: construction.node))
        }
        return slots.isEmpty ? nil : slots
    }

    /// For an optimizer whose parameters are the variable of a loop over the rows of a literal table (a dictionary
    /// walked by `.items()`, a list of tuples, see `loopRows`), or are read with one (`families[g.family]` in a
    /// generator over `(AdamGroup("embed", lr=0.3), ...)`), one slot per row whose tests of the loop's strings and
    /// numbers reach the construction (`if name == "matrix": Muon(...) else: Adam(...)`, run by the script interpreter
    /// with the row's values; a test it cannot run lets the row through): the row's parameters, and its rate computed with
    /// the row's values (`lr=lrs[name]` with `lrs` the table of rates handed to the builder, see `rowValues`), else
    /// the optimizer's own. Nil when the parameters are no such variable, or no row reaches the construction.
    func loopRowSlots(_ optimizer: OptimizerUse, params: Node, rate: Node?, ownLR: [Double], model: ModelView) -> [OptimizerSlot]? {
        // The loop variable: the parameters themselves, or one they read (`families[g.family]`), also through a local
        // set from the row in the loop's body (`params, lr = getattr(model, params_attr), getattr(hp, lr_attr)`).
        var expression = unwrapped(params)
        if expression.type == "identifier", bindingLoop(of: expression.text, at: expression) == nil,
           let value = latestAssignedValue(of: expression.text, before: expression).map(unwrapped),
           value.type == "call", callSite(value).callee == "getattr" {
            expression = value
        }
        let candidates = expression.type == "identifier" ? [expression] : descendants(of: expression).filter { $0.type == "identifier" }
        guard let (variable, loop) = candidates.lazy.compactMap({ v in self.bindingLoop(of: v.text, at: v).map { (v, $0) } }).first,
              loop.type == "for_statement" || loop.type == "for_in_clause", let rows = loopRows(loop), rows.count > 1 else { return nil }
        let interpreter = ScriptInterpreter(self)
        var slots: [OptimizerSlot] = []
        for table in rows {
            let row = withLookedUpRecords(table, loop: loop, before: optimizer.call.node)
            guard let held = expression == variable ? row.names[variable.text] : expression else { return nil }
            guard loopRowReaches(optimizer.call.node, loop: loop, row: row, interpreter: interpreter) else { continue }
            let rates = rate.flatMap { rowValues($0, in: row) } ?? (rate == nil ? spreadRowRates(optimizer.call.node, in: row) : nil) ?? ownLR
            let kinds = expression == variable ? rowParameterKinds(held, in: row, model: model) : rowParameterKinds(expression, in: row, model: model)
            slots.append(OptimizerSlot(optimizer: optimizer, params: held, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                       kinds: kinds, site: row.item))
        }
        return slots.isEmpty ? nil : slots
    }

    /// The rate a construction without an `lr` argument takes from a `**` spread of the row's record (`OrthoSGD(ps,
    /// **hp)` in `for bucket, hp in OPTIM.items()`, also after a copy, `hp = dict(hp)`, that pops other keys): the
    /// record's `lr` entry. Nil when no spread gives one.
    func spreadRowRates(_ construction: Node, in row: LoopRow) -> [Double]? {
        for spread in construction.child(byField: "arguments")?.namedChildren ?? [] where spread.type == "dictionary_splat" {
            guard var source = spread.namedChildren.first.map(unwrapped) else { continue }
            if source.type == "identifier", let copy = latestValue(of: source.text, before: construction).map(unwrapped), copy.type == "call",
               case let call = callSite(copy), call.callee == "dict", call.positional.count == 1 {
                source = unwrapped(call.positional[0])
            }
            guard let record = rowEntry(source, in: row),
                  let entry = dictionaries(record).lazy.compactMap({ OptimizerUse.entry("lr", in: $0) }).first else { continue }
            let rates = learningRates(entry)
            if !rates.isEmpty { return rates }
        }
        return nil
    }

    /// The one `for` clause of the comprehension whose element a node is part of (`{role: make(spec, ps[role]) for role,
    /// spec in table.items()}`), outside any nested function; nil otherwise.
    func comprehensionClause(around node: Node) -> Node? {
        for a in ancestors(of: node) {
            if ["function_definition", "lambda", "class_definition"].contains(a.type) { return nil }
            guard ["list_comprehension", "dictionary_comprehension", "set_comprehension", "generator_expression"].contains(a.type) else { continue }
            let clauses = a.namedChildren.filter { $0.type == "for_in_clause" }
            guard clauses.count == 1, !isInside(node, clauses[0]) else { return nil }
            return clauses[0]
        }
        return nil
    }

    /// For an optimizer a factory of the file builds from its parameters (`def make_optimizer(name, params, lr, **kw): if
    /// name == "muon": return Muon(params, lr=lr)`), called once inside a loop over the rows of a table (`for bucket, spec
    /// in RECIPE.items(): kind = spec.pop("name"); make_optimizer(kind, buckets[bucket], **spec)`): one slot per row
    /// whose arguments reach the construction (the factory's string tests run with what the call passes in that row,
    /// see `reaches`): the row's parameters (`buckets[bucket]` read with the row's key, see `rowParameterKinds`) and the
    /// rate the row passes, by position, keyword or a `**` spread of its record (see `rowArgument`). The loop may be a
    /// comprehension's (`{role: make(spec, ps[role]) for role, spec in table.items()}`). Nil when the parameters are no
    /// parameter of a factory called once in such a loop.
    func loopRowFactorySlots(_ optimizer: OptimizerUse, params: Node, rate: Node?, ownLR: [Double], model: ModelView) -> [OptimizerSlot]? {
        let variable = unwrapped(params)
        guard variable.type == "identifier", let factory = parameterOwner(of: variable), !isReassigned(variable.text, in: factory),
              case let bindings = callerBindings(of: variable), bindings.count == 1, case let call = bindings[0].call,
              let loop = enclosingLoops(call.node).first(where: { $0.type == "for_statement" }) ?? comprehensionClause(around: call.node),
              let rows = loopRows(loop), rows.count > 1 else { return nil }
        let parameters = factory.passedParameters
        func passed(_ name: String, in row: LoopRow) -> Node? {
            guard let index = parameters.firstIndex(of: name) else { return nil }
            if let given = call.argument(name, position: index) { return rowArgument(given, in: row, before: call.node) ?? given }
            // Spread from the row's record (`**spec`): its entry of that name.
            for spread in call.node.child(byField: "arguments")?.namedChildren ?? [] where spread.type == "dictionary_splat" {
                guard let record = spread.namedChildren.first.flatMap({ rowEntry($0, in: row) }),
                      let entry = dictionaries(record).lazy.compactMap({ OptimizerUse.entry(name, in: $0) }).first else { continue }
                return entry
            }
            return nil
        }
        // A factory picked from a registry by a field of the row (`OPTIMIZERS[entry["type"]](params, **kw)` with `"Adam":
        // make_adam`): only the rows whose record selects this factory call it.
        let selecting: [Node]? = call.function.map(unwrapped).flatMap { chooser in
            guard chooser.type == "subscript" else { return nil }
            let selections = registrySelections(chooser).filter { $0.record != nil }
            guard !selections.isEmpty else { return nil }
            return selections.filter { functionsDenoted(by: $0.entry, depth: 0).contains { $0.node == factory.node } }.compactMap { $0.record?.dictionary }
        }
        var slots: [OptimizerSlot] = []
        for table in rows {
            if let selecting, !selecting.contains(where: { $0 == unwrapped(table.item) || table.names.values.contains($0) }) { continue }
            let row = withLookedUpRecords(table, loop: loop, before: call.node)
            guard reaches(optimizer.call.node, in: factory, given: { name in passed(name, in: row).flatMap { SettingsTable.stringValue(self.unwrapped($0)) } }) != false
            else { continue }
            var rates = ownLR
            if let rate, case let r = unwrapped(rate), r.type == "identifier", parameters.contains(r.text), let given = passed(r.text, in: row) {
                rates = learningRates(given)
            }
            let argument = call.argument(variable.text, position: parameters.firstIndex(of: variable.text)) ?? variable
            slots.append(OptimizerSlot(optimizer: optimizer, params: argument, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                       kinds: rowParameterKinds(argument, in: row, model: model), site: row.item))
        }
        return slots.isEmpty ? nil : slots
    }

    /// What an argument a call inside a loop over table rows passes holds in one row: a read of the row (`rowEntry`),
    /// or a local of the loop's body set to one before the call (`kind = spec.pop("name")`). Nil otherwise.
    func rowArgument(_ argument: Node, in row: LoopRow, before use: Node) -> Node? {
        let a = unwrapped(argument)
        if let entry = rowEntry(a, in: row) { return entry }
        guard a.type == "identifier", let value = latestValue(of: a.text, before: use) else { return nil }
        return rowEntry(value, in: row)
    }

    /// Whether the tests between a loop over table rows and `node` inside its body hold for `row`: each `if`, `elif`
    /// and `else` on the way, its test run with the row's strings and numbers (`rowTest`, else the script
    /// interpreter); a test neither can run lets the row through.
    func loopRowReaches(_ node: Node, loop: Node, row: LoopRow, interpreter: ScriptInterpreter? = nil) -> Bool {
        let interpreter = interpreter ?? ScriptInterpreter(self)
        let env = rowEnvironment(row)
        var child = node
        // (A comprehension's clause stands beside its body: the comprehension bounds the walk.)
        let boundary = loop.type == "for_in_clause" ? loop.parent : loop
        while let parent = child.parent, parent != boundary {
            defer { child = parent }
            guard parent.type == "if_statement" else { continue }
            let clauses = [parent] + parent.children.filter { $0.type == "elif_clause" || $0.type == "else_clause" }
            let holding = clauses.last { $0.type != "if_statement" && isInside(node, $0) } ?? parent
            for clause in clauses {
                let holds = clause.child(byField: "condition").flatMap { rowTest($0, in: row) ?? interpreter.value(of: $0, env: env)?.truthy }
                if clause == holding {
                    if clause.type != "else_clause", holds == false { return false }
                    break
                }
                if holds == true { return false }
            }
        }
        return true
    }

    /// A row with the records the loop's body looks up by the row's key before `use` (`spec = hp.optim[name]`, the
    /// entry of `hp.optim` under this row's `name`) bound to their names, so that `spec["lr"]` reads as this row's.
    func withLookedUpRecords(_ row: LoopRow, loop: Node, before use: Node) -> LoopRow {
        guard loop.type == "for_statement", let body = loop.child(byField: "body") else { return row }
        var names = row.names
        let env = rowEnvironment(row)
        for assignment in descendants(of: body) where assignment.type == "assignment" && assignment.endByte <= use.startByte {
            guard let left = assignment.child(byField: "left"), left.type == "identifier", names[left.text] == nil,
                  let right = assignment.child(byField: "right").map(unwrapped), right.type == "subscript",
                  let table = right.child(byField: "value"), let index = right.child(byField: "subscript").map(unwrapped),
                  index.type == "identifier", case .string(let key)? = env[index.text],
                  let entry = dictionaries(table).lazy.compactMap({ OptimizerUse.entry(key, in: $0) }).first else { continue }
            names[left.text] = entry
        }
        return LoopRow(item: row.item, names: names)
    }

    /// A string test of what a row holds (`spec["kind"] == "muon"`, `kind != "adam"`, see `rowEntry`); nil for any
    /// other test.
    func rowTest(_ condition: Node, in row: LoopRow) -> Bool? {
        let c = unwrapped(condition)
        if c.type == "not_operator" { return c.child(byField: "argument").flatMap { rowTest($0, in: row) }.map { !$0 } }
        guard c.type == "comparison_operator" else { return nil }
        let parts = c.namedChildren.filter { $0.type != "comment" }
        let operators = c.children.filter { !$0.isNamed }.map(\.type)
        guard parts.count == 2, operators.count == 1, ["==", "!="].contains(operators[0]) else { return nil }
        for (read, other) in [(parts[0], parts[1]), (parts[1], parts[0])] {
            guard let held = rowEntry(read, in: row).flatMap(SettingsTable.stringValue),
                  let text = SettingsTable.stringValue(unwrapped(other)) else { continue }
            return (held == text) == (operators[0] == "==")
        }
        return nil
    }
}
