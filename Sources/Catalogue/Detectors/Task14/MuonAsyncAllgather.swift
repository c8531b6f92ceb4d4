import Parsing
import TreeSitterKit

/// `muon_async_allgather`: Muon overlaps its communication with compute: each round starts a non-blocking
/// all-gather of the updates and waits for it only after more work has been done.
///
/// Requires, in an optimizer step that orthogonalizes updates (an optimizer class of the file, or a function
/// calling a Newton-Schulz / zeropower / orthogonalize routine, also through a pure update function of the file that
/// returns its result, rescaled or with the new momentum, see `PythonFacts.returnsOrthogonalizedNodes`), a `torch.distributed` all-gather
/// (`all_gather`, `all_gather_into_tensor`, `_all_gather_base`) with `async_op` true whose work handle is kept,
/// and a `.wait()` on it that is not the statement right after the launch: in a deferred helper run on the next
/// round, after the loop over rounds, or on handles collected in a list. Rejects blocking gathers and
/// all-reduces, an async gather waited on immediately, and async collectives outside the optimizer. Examples:
/// `queries/python/muon_async_allgather/examples/`.
struct MuonAsyncAllgather: Detector {
    let id = "muon_async_allgather"
    static let gathers: Set<String> = ["all_gather", "all_gather_into_tensor", "_all_gather_base"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let waits = facts.calls.filter { ($0.name == "wait" && $0.receiver != nil && $0.positional.isEmpty) || $0.name == "wait_all" }
        guard !waits.isEmpty else { return [] }
        var evidence: [Evidence] = []
        for call in facts.calls where Self.gathers.contains(call.name) && (call.callee.hasPrefix("torch.distributed") || call.receiver == nil) {
            guard let async = facts.keywordArgument("async_op", of: call), facts.isTruthy(async), inOptimizerStep(call.node, facts) else { continue }
            // The handle is kept: the call is the value of an assignment (or appended / packed with others).
            guard let statement = statement(of: call.node), statement.type == "expression_statement",
                  let expression = statement.namedChildren.first,
                  expression.type == "assignment" || facts.descendants(expression).contains(where: { $0.type == "call" && $0 != call.node })
            else { continue }
            let immediate = statement.nextNamedSibling
            let deferred = waits.filter { wait in
                guard let immediate else { return true }
                return !facts.isInside(wait.node, immediate) || !isBareWait(immediate, wait)
            }
            if !deferred.isEmpty { evidence.append(facts.evidence(call.node, "async all_gather waited on after later work")) }
        }
        return evidence
    }

    /// The statement holding a node.
    func statement(of node: Node) -> Node? {
        var current: Node? = node
        while let c = current {
            if c.parent?.type == "block" || c.parent?.type == "module" { return c }
            current = c.parent
        }
        return nil
    }

    /// `handle.wait()` as a whole statement.
    func isBareWait(_ statement: Node, _ wait: CallSite) -> Bool {
        statement.type == "expression_statement" && statement.namedChildren.first == wait.node
    }

    /// Inside an optimizer class of the file, or a function that orthogonalizes.
    func inOptimizerStep(_ node: Node, _ facts: PythonFacts) -> Bool {
        if let owner = facts.enclosingClass(node), owner.bases.contains(where: { $0.hasSuffix("Optimizer") }) { return true }
        var current = facts.enclosingFunction(node)
        while let function = current {
            if facts.descendants(function.node).contains(where: { n in
                n.type == "call" && PythonFacts.orthogonalizers.contains { facts.callSite(n).name.lowercased().contains($0) }
            }) { return true }
            // Whatever its names: an inline Newton-Schulz loop, an orthogonalizer of the file, a name or a table of
            // backends bound to them (`orth = backends[hp.backend]`).
            if facts.orthogonalizes(function.node) { return true }
            current = facts.outerFunction(of: function)
        }
        return false
    }
}
