import Catalogue
import TreeSitterKit

/// How a script computes its validation loss: the accumulator (`val_loss`, under any name, also inside a
/// helper function whose result is assigned to it), the loops that accumulate it, and the other updates.
struct ValidationModel {
    /// Names that hold the validation loss (the script's `val_loss`, and helpers' accumulators).
    var names: Set<String> = []
    /// `val_loss += loss` (or `val_loss = val_loss + loss`).
    var accumulations: [Node] = []
    /// Loops around accumulations (the validation loops).
    var loops: [Node] = []
    /// Updates that are neither the initial zero, an accumulation, a cast (`.item()`), nor a helper's result:
    /// divisions, scalings, replacements. Each with its canonical key (operator and operand).
    var updates: [(node: Node, key: String)] = []
    /// `return total / n` in a helper whose result becomes the validation loss.
    var returnedUpdates: [(node: Node, key: String)] = []
    /// `all_reduce(val_loss, op=...)` calls, with the operation.
    var reductions: [(node: Node, op: String)] = []
    /// Statements that compute the validation loss at the call level of the training loop: the accumulation
    /// itself, or the call of the helper that does it.
    var sites: [Node] = []
}

extension Script {
    static let castMethods: Set<String> = ["item", "float", "double", "detach", "cpu", "clone", "to", "mean", "squeeze"]

    func validationModel(lossName: String) -> ValidationModel {
        if let cached = validationCache[lossName] { return cached }
        let model = computeValidationModel(lossName: lossName)
        validationCache[lossName] = model
        return model
    }

    private func computeValidationModel(lossName: String) -> ValidationModel {
        var model = ValidationModel()
        model.names = [lossName]
        // Helpers whose result is assigned to the loss: their returned accumulator joins the names.
        var helperFunctions: [PythonFacts.Function] = []
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), SettingsTable.bareName(of: left) == lossName,
                  let right = node.child(byField: "right"), right.type == "call",
                  let callee = right.child(byField: "function"), callee.type == "identifier" else { continue }
            for function in facts.function(named: callee.text) {
                helperFunctions.append(function)
                model.sites.append(statement(of: node))
                for ret in function.node.preorder where ret.type == "return_statement" && facts.enclosingFunction(ret)?.node == function.node {
                    guard let value = ret.namedChildren.first.map(unwrapped) else { continue }
                    if let name = SettingsTable.bareName(of: value) {
                        model.names.insert(name)
                    } else if value.type == "binary_operator", let l = value.child(byField: "left").map(unwrapped),
                              let name = SettingsTable.bareName(of: l), let op = value.child(byField: "operator")?.type,
                              let operand = value.child(byField: "right") {
                        model.names.insert(name)
                        model.returnedUpdates.append((ret, op + "= " + resolvedCanonical(operand)))
                    } else if let call = castReceiver(value).flatMap(SettingsTable.bareName(of:)) {
                        model.names.insert(call)
                    }
                }
            }
        }
        for node in facts.nodes(ofType: ["assignment", "augmented_assignment"]) {
            guard let left = node.child(byField: "left"), let name = SettingsTable.bareName(of: left), model.names.contains(name),
                  let right = node.child(byField: "right") else { continue }
            let op = node.type == "augmented_assignment" ? (node.child(byField: "operator")?.type ?? "") : "="
            let value = unwrapped(right)
            if op == "+=" || (op == "=" && value.type == "binary_operator" && value.child(byField: "operator")?.type == "+"
                              && value.child(byField: "left").map(unwrapped).flatMap(SettingsTable.bareName(of:)) == name) {
                model.accumulations.append(node)
                if let loop = enclosingLoop(node), !model.loops.contains(loop) { model.loops.append(loop) }
                if !helperFunctions.contains(where: { $0.node.byteRange.contains(node.startByte) }) { model.sites.append(statement(of: node)) }
                continue
            }
            if op == "=" {
                if isZero(value) { continue }
                if castReceiver(value).flatMap(SettingsTable.bareName(of:)) == name { continue }
                if value.type == "call", let callee = value.child(byField: "function"), callee.type == "identifier",
                   !facts.function(named: callee.text).isEmpty { continue }
                if value.type == "binary_operator", let l = value.child(byField: "left").map(unwrapped), SettingsTable.bareName(of: l) == name,
                   let binaryOp = value.child(byField: "operator")?.type, let operand = value.child(byField: "right") {
                    model.updates.append((node, binaryOp + "= " + resolvedCanonical(operand)))
                    continue
                }
                model.updates.append((node, "= " + canonical(value)))
            } else {
                model.updates.append((node, op + " " + resolvedCanonical(right)))
            }
        }
        for call in facts.calls where call.name.hasSuffix("reduce") || call.name == "all_reduce" || call.name == "reduce" {
            guard let first = call.positional.first, let name = SettingsTable.bareName(of: unwrapped(first)), model.names.contains(name) else { continue }
            let op = (call.keywords["op"] ?? (call.positional.count > 1 ? call.positional[1] : nil))?.text ?? "SUM"
            model.reductions.append((call.node, String(op.split(separator: ".").last ?? "SUM") + (call.name == "all_reduce" ? "" : " " + call.name)))
        }
        return model
    }

    func unwrapped(_ node: Node) -> Node {
        var n = node
        while n.type == "parenthesized_expression", let inner = n.namedChildren.first(where: { $0.type != "comment" }) { n = inner }
        return n
    }

    /// `x.item()`, `float(x)`, `x.detach().float()` -> x.
    func castReceiver(_ node: Node) -> Node? {
        var n = unwrapped(node)
        var stripped = false
        while n.type == "call", let function = n.child(byField: "function") {
            if function.type == "attribute", let method = function.child(byField: "attribute")?.text, Self.castMethods.contains(method),
               let object = function.child(byField: "object") {
                n = unwrapped(object)
                stripped = true
            } else if function.type == "identifier", function.text == "float",
                      let argument = n.child(byField: "arguments")?.namedChildren.first {
                n = unwrapped(argument)
                stripped = true
            } else {
                break
            }
        }
        return stripped ? n : nil
    }

    func isZero(_ node: Node) -> Bool {
        let n = unwrapped(node)
        if n.type == "integer" || n.type == "float" { return Double(n.text) == 0 }
        if n.type == "call", let function = n.child(byField: "function")?.text {
            if function.hasSuffix("zeros") || function.hasSuffix("zeros_like") { return true }
            if function.hasSuffix("tensor"), let first = n.child(byField: "arguments")?.namedChildren.first {
                return isZero(first)
            }
        }
        return false
    }

    /// Canonical text, with a parameter of the enclosing function replaced by what its callers pass (when they
    /// all pass the same thing).
    func resolvedCanonical(_ node: Node) -> String {
        let n = unwrapped(node)
        if n.type == "identifier", isParameter(n.text, at: n) {
            let arguments = Set(definitions(of: n.text, at: n).map { canonical($0) })
            if arguments.count == 1 { return arguments.first! }
        }
        return canonical(n)
    }

    /// Evaluates a condition knowing some names' truth values (`last_step` -> true, `save_checkpoint` ->
    /// false): true, false, or nil when it depends on something else. A name is matched by its bare name
    /// (`args.save_checkpoint` is `save_checkpoint`); `equivalents` are canonical expressions known to be
    /// true (the definition of `last_step`, `step == args.num_iterations`).
    func evaluate(_ condition: Node, truths: [String: Bool], equivalents: Set<String> = []) -> Bool? {
        let n = unwrapped(condition)
        if ["identifier", "attribute"].contains(n.type), let name = SettingsTable.bareName(of: n), let value = truths[name] { return value }
        if !equivalents.isEmpty, equivalents.contains(canonical(n)) { return true }
        switch n.type {
        case "boolean_operator":
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return nil }
            let a = evaluate(l, truths: truths, equivalents: equivalents), b = evaluate(r, truths: truths, equivalents: equivalents)
            if n.child(byField: "operator")?.type == "or" {
                if a == true || b == true { return true }
                if a == false && b == false { return false }
                return nil
            }
            if a == false || b == false { return false }
            if a == true && b == true { return true }
            return nil
        case "not_operator":
            guard let argument = n.child(byField: "argument") else { return nil }
            return evaluate(argument, truths: truths, equivalents: equivalents).map { !$0 }
        case "true": return true
        case "false", "none": return false
        case "integer", "float": return Double(n.text.replacingOccurrences(of: "_", with: "")).map { $0 != 0 }
        default:
            return nil
        }
    }

    /// Whether the branches leading to a node are taken given `truths`, up to `limit`: false if one is
    /// certainly not taken, nil if one depends on something else.
    func reached(_ node: Node, upTo limit: Node?, truths: [String: Bool], equivalents: Set<String> = []) -> Bool? {
        var result: Bool? = true
        for (condition, negated) in guards(node, upTo: limit) {
            guard let value = evaluate(condition, truths: truths, equivalents: equivalents) else { result = nil; continue }
            if value == negated { return false }
        }
        return result
    }
}
