import Parsing
import TreeSitterKit

/// A number of tokens that sizes the data a step reads: a sequence length or batch size reaching a loader, a
/// slice of the token stream, a `split`, or the step count of a loop over batches.
public struct TokenCountUse {
    /// The expression giving the number (a reference to a setting, or a literal expression).
    public let source: Node
    public let value: Int
    /// The setting's bare name when the source reads one.
    public let name: String?
    /// Where the number ends up sizing data.
    public let site: Node
    /// The use is validation code (see `isValidationContext`).
    public let validation: Bool
}

extension PythonFacts {
    /// Whether a name reads as validation (`val_seq_len`, `eval_context`, `validate`, `evaluate`), compared by its
    /// `_`-separated words so `interval` does not count.
    public func isValidationName(_ name: String) -> Bool {
        name.lowercased().split(separator: "_").contains { $0.hasPrefix("val") || $0.hasPrefix("eval") }
    }

    /// Whether a node lies in validation code: a function named for validation, a `with torch.no_grad()` /
    /// `torch.inference_mode()` block, or a block that puts the model in eval mode (`model.eval()` among its
    /// own statements).
    public func isValidationContext(_ node: Node) -> Bool {
        var child = node
        for ancestor in ancestors(of: node) {
            defer { child = ancestor }
            switch ancestor.type {
            case "function_definition":
                if let name = ancestor.child(byField: "name")?.text, isValidationName(name) { return true }
            case "with_statement":
                let names = descendants(of: ancestor.namedChildren.first ?? ancestor).filter { $0.type == "call" }
                    .map { callSite($0).name }
                if names.contains("no_grad") || names.contains("inference_mode") { return true }
            case "block":
                if ancestor.parent?.type == "class_definition" { continue }
                // After `model.eval()` in the same block, and before a `model.train()` that ends it.
                var evaluating = false
                for statement in ancestor.namedChildren {
                    if statement == child || statement.startByte >= child.startByte { break }
                    guard statement.type == "expression_statement", let call = statement.namedChild(0), call.type == "call" else { continue }
                    let site = callSite(call)
                    guard site.receiver != nil, site.positional.isEmpty, site.keywords.isEmpty else { continue }
                    if site.name == "eval" { evaluating = true }
                    if site.name == "train" { evaluating = false }
                }
                if evaluating { return true }
            default:
                continue
            }
        }
        return false
    }

    /// Whether a node runs only outside training: in validation code (`isValidationContext`), or in a branch taken
    /// only when a module's `training` flag is off (`if not self.training:`, the `else` of `if model.training:`,
    /// `... if self.training else <here>`, `if flag and not self.training:`).
    public func runsOnlyInEval(_ node: Node) -> Bool {
        if isValidationContext(node) { return true }
        var child = node
        for ancestor in ancestors(of: node) {
            if ancestor.type == "function_definition" || ancestor.type == "lambda" { break }
            if ancestor.type == "if_statement", let condition = ancestor.child(byField: "condition") {
                let branches = evalOnlyBranches(condition)
                if branches.consequence, ancestor.child(byField: "consequence") == child { return true }
                if branches.alternative, child.type == "else_clause" { return true }
            }
            if ancestor.type == "conditional_expression" {
                let parts = ancestor.namedChildren
                if parts.count == 3 {
                    let branches = evalOnlyBranches(parts[1])
                    if branches.consequence, parts[0] == child { return true }
                    if branches.alternative, parts[2] == child { return true }
                }
            }
            child = ancestor
        }
        return false
    }

    /// For a condition, whether its true branch (`consequence`) or its false branch (`alternative`) runs only
    /// when the `training` flag is off. A method of the instance called without arguments (`self.fp8_active()`) or a
    /// property read stands for what it returns, and a string compared with a conditional on the flag (`self._path()
    /// == "fp8"` with `_path` returning `"fp8" if self.training else "bf16"`) selects that conditional's side.
    func evalOnlyBranches(_ condition: Node, depth: Int = 0) -> (consequence: Bool, alternative: Bool) {
        let condition = unwrapped(condition)
        switch condition.type {
        case "attribute":
            if condition.child(byField: "attribute")?.text == "training" { return (false, true) }
            guard depth < 3, let result = instanceMethodResult(condition) else { return (false, false) }
            return evalOnlyBranches(result, depth: depth + 1)
        case "call":
            guard depth < 3, let result = instanceMethodResult(condition) else { return (false, false) }
            return evalOnlyBranches(result, depth: depth + 1)
        case "comparison_operator":
            return comparedBranches(condition, depth: depth)
        case "not_operator":
            guard let argument = condition.child(byField: "argument") else { return (false, false) }
            let inner = evalOnlyBranches(argument, depth: depth)
            return (inner.alternative, inner.consequence)
        case "boolean_operator":
            let operands = [condition.child(byField: "left"), condition.child(byField: "right")].compactMap { $0 }
                .map { evalOnlyBranches($0, depth: depth) }
            switch condition.child(byField: "operator")?.type {
            case "and": return (operands.contains { $0.consequence }, false)
            case "or": return (false, operands.contains { $0.alternative })
            default: return (false, false)
            }
        default:
            return (false, false)
        }
    }

    /// `x == "fp8"` / `x != "fp8"` where `x` is (or a method of the instance returns) a conditional between two strings:
    /// the branches of the conditional's test, for the side the string selects.
    private func comparedBranches(_ comparison: Node, depth: Int) -> (consequence: Bool, alternative: Bool) {
        let operands = comparison.namedChildren.filter { $0.type != "comment" }.map(unwrapped)
        let op = comparison.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
        guard depth < 3, operands.count == 2, op == "==" || op == "!=",
              let index = operands.firstIndex(where: { SettingsTable.stringValue($0) != nil }),
              let literal = SettingsTable.stringValue(operands[index]) else { return (false, false) }
        var compared = operands[1 - index]
        if let result = instanceMethodResult(compared) { compared = unwrapped(result) }
        guard let parts = conditionalParts(compared), let value = SettingsTable.stringValue(unwrapped(parts.value)),
              let alternative = SettingsTable.stringValue(unwrapped(parts.alternative)), value != alternative,
              literal == value || literal == alternative else { return (false, false) }
        let test = evalOnlyBranches(parts.test, depth: depth + 1)
        let holds: (consequence: Bool, alternative: Bool) = literal == value ? test : (test.alternative, test.consequence)
        return op == "==" ? holds : (holds.alternative, holds.consequence)
    }

    /// Every number of at least `minimum` tokens that sizes data (see `TokenCountUse`).
    public func tokenCountUses(minimum: Int = 1024) -> [TokenCountUse] {
        memoized("tokenCountUses/\(minimum)") { computeTokenCountUses(minimum: minimum) }
    }

    private func computeTokenCountUses(minimum: Int) -> [TokenCountUse] {
        // Names with a setting worth at least `minimum`, and literal expressions of that size.
        var candidates = Set<String>()
        for (name, settings) in allSettings.byName where settings.contains(where: { s in
            if case .int(let i)? = value(of: s.value) { return i >= minimum }
            return false
        }) { candidates.insert(name) }
        var uses: [TokenCountUse] = []
        let flow = dataflow
        // Only the kinds of node that can stand for a count, looked up by type (in document order).
        for node in nodes(ofType: ["identifier", "attribute", "subscript", "integer", "binary_operator"]) {
            let isLiteral = ["integer", "binary_operator"].contains(node.type)
            let isReference = !isLiteral
            if isReference {
                guard let name = SettingsTable.bareName(of: node), candidates.contains(name), isRead(node) else { continue }
                if let parent = node.parent, ["assignment", "augmented_assignment"].contains(parent.type), parent.child(byField: "left") == node { continue }
                if node.type == "identifier", node.parent?.type == "attribute" { continue }
                // A local variable of the same name holds something else.
                if node.type == "identifier", let local = flow.latestValue(of: node.text, before: node),
                   SettingsTable.bareName(of: local) != name, value(of: local) == nil { continue }
            } else {
                guard node.parent?.type != "binary_operator", node.parent?.type != "unary_operator", !definesSetting(node) else { continue }
            }
            // Literals fold on their own (names are the reference path's business), which keeps this walk cheap.
            let folded = isReference ? value(of: node) : ConstantFolder(imports: imports).evaluate(node)
            guard case .int(let v)? = folded, v >= minimum else { continue }
            let name = isReference ? SettingsTable.bareName(of: node) : nil
            for (site, validation) in dataSizingSites(of: node, depth: 0, validation: false) {
                uses.append(TokenCountUse(source: node, value: v, name: name, site: site, validation: validation))
            }
        }
        return uses
    }

    /// Whether a literal is the value a setting is defined with (the right side of an assignment, a default, a
    /// dictionary entry, an argparse default, a keyword of a config class or `dict(...)`): its reads count, not it.
    func definesSetting(_ node: Node) -> Bool {
        guard let parent = node.parent else { return false }
        switch parent.type {
        case "assignment":
            return parent.child(byField: "right") == node
        case "default_parameter", "typed_default_parameter", "pair":
            return true
        case "keyword_argument":
            guard let call = parent.parent?.parent, call.type == "call" else { return false }
            let site = callSite(call)
            return site.name == "add_argument" || site.callee == "dict" || classes.contains { $0.name == site.callee }
        default:
            return false
        }
    }

    /// For a statement inside a case of a `match` on a parameter of `function` (`match phase:` ... `case Phase.VAL:
    /// return ...`): the parameter, its place, and whether an argument written at a call selects the case holding the
    /// statement. An argument that is no literal or dotted name is taken to select it; an argument written as a value
    /// that matches another case (`Phase.TRAIN`), or none, does not. Nil when the statement is in no such match.
    func matchedParameterCase(of statement: Node, in function: Node) -> (name: String, index: Int, selects: (Node) -> Bool)? {
        var cursor = statement.parent
        while let node = cursor, node != function {
            defer { cursor = node.parent }
            guard node.type == "match_statement", let match = MatchStatement(node), case let subject = unwrapped(match.subject),
                  subject.type == "identifier", let index = dataflow.parameters(of: function).firstIndex(of: subject.text),
                  let holding = match.cases.first(where: { isInside(statement, $0.body) }) else { continue }
            let selects: (Node) -> Bool = { passed in
                let selection = match.select(passed, equals: { value, pattern in
                    let written = self.unwrapped(value)
                    if let a = SettingsTable.stringValue(written), let b = SettingsTable.stringValue(pattern) { return a == b }
                    if let a = self.value(of: written)?.double, let b = self.value(of: pattern)?.double { return a == b }
                    guard written.type == "attribute", pattern.type == "dotted_name" || pattern.type == "attribute" else { return nil }
                    return written.text.filter { !$0.isWhitespace } == pattern.text.filter { !$0.isWhitespace }
                }, elements: { _ in nil }, holds: { _, _ in nil })
                switch selection {
                case .selected(let chosen, _): return chosen.node == holding.node
                case .noMatch: return false
                case .unknown: return true
                }
            }
            return (subject.text, index, selects)
        }
        return nil
    }

    /// Where a number ends up sizing data, following it through arithmetic, local names and attributes, and from a
    /// function's `return` to its calls.
    func dataSizingSites(of node: Node, depth: Int, validation: Bool) -> [(Node, Bool)] {
        guard depth < 4 else { return [] }
        var current = node
        // The branches of conditionals the number is returned through (`self.val_seq_len if validation else ...`).
        var branches: [(condition: Node, taken: Bool)] = []
        while let parent = current.parent {
            if ["binary_operator", "parenthesized_expression", "unary_operator"].contains(parent.type) {
                current = parent
                continue
            }
            let parts = parent.namedChildren.filter { $0.type != "comment" }
            guard parent.type == "conditional_expression", parts.count == 3, current != parts[1] else { break }
            branches.append((parts[1], current == parts[0]))
            current = parent
        }
        guard let parent = current.parent, branches.isEmpty || parent.type == "return_statement" else { return [] }
        let validation = validation || isValidationContext(current)
        switch parent.type {
        case "return_statement":
            // `def global_batch(self, ws, *, validation=False): return ws * (self.val_seq_len if validation else
            // self.train_seq_len)`: the number sizes data where the function's calls do; a branch chosen by a
            // parameter counts at the calls that pass (or default to) a value choosing it.
            guard let function = enclosingFunction(parent) else { return [] }
            let flow = dataflow
            let parameters = flow.parameters(of: function.node)
            // A return in a `case` of a `match` on a parameter (`match phase: case Phase.VAL: return self.val_seq_len`)
            // counts at the calls whose argument selects that case.
            let matched = matchedParameterCase(of: parent, in: function.node)
            let sites = flow.callSites(of: function.node).filter { site in
                if let matched, let passed = flow.argument(site, name: matched.name, index: matched.index)
                    ?? parameterDefault(in: function.node, matched.name), !matched.selects(passed) {
                    return false
                }
                return branches.allSatisfy { branch in
                    let condition = unwrapped(branch.condition)
                    guard condition.type == "identifier", let index = parameters.firstIndex(of: condition.text),
                          let passed = flow.argument(site, name: condition.text, index: index)
                              ?? parameterDefault(in: function.node, condition.text),
                          let holds = truth(of: passed) else { return true }
                    return holds == branch.taken
                }
            }
            return sites.flatMap { dataSizingSites(of: $0.call.node, depth: depth + 1, validation: validation) }
        case "slice":
            return [(parent, validation)]
        case "subscript":
            return parent.child(byField: "value") == current ? [] : [(parent, validation)]
        case "augmented_assignment":
            // A position moving through the stream (`pos += batch_size`).
            return parent.child(byField: "right") == current && parent.child(byField: "operator")?.type == "+=" ? [(parent, validation)] : []
        case "argument_list", "keyword_argument":
            let list = parent.type == "argument_list" ? parent : parent.parent
            if parent.type == "keyword_argument", ["device", "dtype"].contains(parent.child(byField: "name")?.text ?? "") { return [] }
            guard let call = list?.parent, call.type == "call" else { return [] }
            let site = callSite(call)
            if ["split", "view", "reshape", "narrow", "unfold", "islice"].contains(site.name) { return [(call, validation)] }
            guard let (function, parameter) = parameterReceiving(parent.type == "keyword_argument" ? parent : current, of: site) else {
                // A loader handed in from outside (`make_loader(files, batch)`).
                if parent.type == "argument_list", let callee = call.child(byField: "function"), callee.type == "identifier",
                   imports.bindings[callee.text] == nil,
                   enclosingFunction(call)?.parameters.contains(callee.text) == true {
                    return [(call, validation)]
                }
                return []
            }
            var inner = validation || isValidationName(function.name)
            // `get_val = partial(loader, val_tokens, VAL_LEN)`: the name the partial is held in says what it loads.
            if ["functools.partial", "partial"].contains(site.callee), let assignment = call.parent, assignment.type == "assignment",
               let target = assignment.child(byField: "left"), let name = SettingsTable.bareName(of: target), isValidationName(name) {
                inner = true
            }
            return parameterReads(parameter, in: function).flatMap { dataSizingSites(of: $0, depth: depth + 1, validation: inner) }
        case "assignment":
            guard parent.child(byField: "right") == current, let target = parent.child(byField: "left") else { return [] }
            let validation = validation || (SettingsTable.bareName(of: target).map(isValidationName) ?? false)
            var reads: [Node] = []
            if target.type == "identifier" {
                let scope = enclosingFunction(parent)?.node ?? root
                reads = descendants(of: scope).filter { n in
                    n.type == "identifier" && n.text == target.text && n.startByte > parent.endByte && isRead(n)
                        && (enclosingFunction(n)?.node ?? root) == scope && n.parent?.type != "attribute"
                }
            } else if target.type == "attribute", let owner = enclosingClass(parent) {
                reads = descendants(of: owner.node).filter { $0.type == "attribute" && $0.text == target.text && $0 != target }
            }
            return reads.flatMap { dataSizingSites(of: $0, depth: depth + 1, validation: validation) }
        default:
            return []
        }
    }

    /// The function of the file a call runs (a function, a method, or a non-module class's `__init__`) and the
    /// parameter that receives `argument` (a positional argument or a `keyword_argument`).
    func parameterReceiving(_ argument: Node, of call: CallSite) -> (Function, String)? {
        // `partial(loader, tokens, SEQ)`: the arguments after the first go to the wrapped function's parameters.
        if ["functools.partial", "partial"].contains(call.callee), let first = call.positional.first, first.type == "identifier",
           let wrapped = function(named: first.text).first(where: { enclosingClass($0.node) == nil }) {
            if argument.type == "keyword_argument" {
                guard let name = argument.child(byField: "name")?.text, wrapped.parameters.contains(name) else { return nil }
                return (wrapped, name)
            }
            guard let index = call.positional.firstIndex(of: argument), index >= 1, index - 1 < wrapped.parameters.count else { return nil }
            return (wrapped, wrapped.parameters[index - 1])
        }
        var function = calledFunction(call)
        if function == nil, let c = boundClass(named: call.callee), !c.bases.contains(where: { $0.hasSuffix("Module") }) {
            function = initializer(of: c)
        }
        if function == nil, call.receiver != nil {
            let methods = forwardMethodNames.contains(call.name) ? [] : self.function(named: call.name).filter { enclosingClass($0.node) != nil }
            if methods.count == 1 { function = methods[0] }
        }
        guard let function else { return nil }
        let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
        if argument.type == "keyword_argument" {
            guard let name = argument.child(byField: "name")?.text, parameters.contains(name) else { return nil }
            return (function, name)
        }
        guard let index = call.positional.firstIndex(of: argument), index < parameters.count else { return nil }
        return (function, parameters[index])
    }

    /// Reads of a parameter inside its function's body.
    func parameterReads(_ name: String, in function: Function) -> [Node] {
        guard let body = function.body else { return [] }
        return descendants(of: body).filter { n in
            n.type == "identifier" && n.text == name && isRead(n) && n.parent?.type != "attribute"
                || (n.type == "identifier" && n.text == name && n.parent?.type == "attribute" && n.parent?.child(byField: "object") == n)
        }
    }
}
