import Parsing
import TreeSitterKit

/// Names a script updates in place with augmented assignments in straight-line code: `V = 50257; V += -V % 128`
/// pads a vocabulary, `lr = 3e-3` then `lr *= 0.5` halves a rate. A read after the updates sees the value they leave,
/// not the value first assigned.
///
/// Only updates that run exactly once before the read are followed: statements directly in the module or in the
/// same function body as the read, outside loops and conditionals. An update in a loop (`lr *= 0.99` each step)
/// or under an `if` leaves the name to the plain settings, as before.
extension PythonFacts {
    /// Augmented assignments to plain names, by name: each with the scope (module or function) it runs in.
    var straightLineUpdates: [String: [Node]] {
        memoized("straightLineUpdates") {
            var result: [String: [Node]] = [:]
            for update in nodes(ofType: "augmented_assignment") {
                guard let left = update.child(byField: "left"), left.type == "identifier",
                      let statement = update.parent, statement.type == "expression_statement", let container = statement.parent,
                      container.type == "module" || (container.type == "block" && container.parent?.type == "function_definition")
                else { continue }
                result[left.text, default: []].append(update)
            }
            return result
        }
    }
}

extension ValueResolver {
    /// The value a plain name holds at `use` after straight-line in-place updates (see `PythonFacts.straightLineUpdates`)
    /// since its latest plain assignment in the same scope: the assigned value with each update applied in order, the
    /// name standing for its value so far on the right (`-V % 128`). Nil when no such update comes between that
    /// assignment and the read; empty when one cannot be computed.
    func updatedInPlace(_ name: String, at use: Node) -> [NumericValue]? {
        guard use.tree === facts.tree, let updates = facts.straightLineUpdates[name] else { return nil }
        let scope = facts.enclosingFunction(use)?.node
        var before = updates.filter { $0.endByte <= use.startByte && facts.enclosingFunction($0)?.node == scope }
        if before.isEmpty, scope != nil, facts.latestValue(of: name, before: use) == nil {
            // A function reading a module name the module updates: it runs once the module has (`main()` at the end).
            before = updates.filter { facts.enclosingFunction($0) == nil }
        } else if let latest = facts.latestValue(of: name, before: use), let last = before.last, latest.startByte > last.startByte {
            // A plain assignment after the updates starts again from its own value.
            return nil
        }
        guard let last = before.last, let assigned = facts.latestValue(of: name, before: last) else { return nil }
        let applied = before.filter { $0.startByte > assigned.startByte }
        guard !applied.isEmpty, var current = values(of: assigned).first else { return applied.isEmpty ? nil : [] }
        for update in applied {
            guard let op = update.child(byField: "operator")?.type.dropLast(), let right = update.child(byField: "right") else { return [] }
            let soFar = current
            let folder = ConstantFolder(imports: facts.imports, resolve: { [unowned self] read in
                read == name ? soFar : self.nameValues(read, at: update).first
            })
            guard let operand = folder.evaluate(right) ?? values(of: right).first,
                  let next = PythonArithmetic.binary(String(op), current.double, operand.double) else { return [] }
            let integral = if case .int = current, case .int = operand, op != "/" { true } else { false }
            current = integral && next == next.rounded() && Swift.abs(next) < 1e15 ? .int(Int(next)) : .float(next)
        }
        return [current]
    }
}
