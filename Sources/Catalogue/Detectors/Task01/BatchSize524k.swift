import Parsing
import TreeSitterKit

/// `batch_size_524k`: one optimizer step consumes 524,288 tokens (512 sequences of 1024 on 8 GPUs).
///
/// Evaluated as the benchmark runs the script (`WORLD_SIZE` / `dist.get_world_size()` = 8). Requires one of: a
/// data loader advancing through the token stream by N tokens per batch (`pos += B * T * world_size`,
/// `self.current_position += batch_size`) with N times the gradient-accumulation count (the `range` of the loop
/// around `backward()` inside the training loop, 1 when there is none) equal to 524,288; or a global token
/// budget of 524,288 that the script honours: asserted equal to a computed size
/// (`assert total_batch_size == B * T * world_size`) or divided to give the accumulation count (inline, through a
/// name, or in a helper function of the file that returns the quotient). Values come from
/// literals, products, the world size (also through a helper of the file returning `WORLD_SIZE`), config fields (a descriptor's stored default too, `batch_size = Hyper(64)`), argparse and
/// environment defaults. Rejects 262,144 or 393,216 tokens per
/// step, batch 64 with another sequence length, and 524,288 used for something else (validation tokens, a
/// shard-size check). Examples: `queries/python/batch_size_524k/examples/`.
struct BatchSize524k: Detector {
    let id = "batch_size_524k"
    static let target = 524_288.0

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        let accumulation = facts.accumulationSteps ?? [1]
        for advance in facts.streamAdvances
        where advance.tokens.contains(where: { t in accumulation.contains { t * $0 == Self.target } }) {
            evidence.append(facts.evidence(advance.node, "data loader advances 524,288 tokens per optimizer step"))
        }
        // A global budget asserted against the computed batch.
        for comparison in facts.nodes(ofType: "comparison_operator") {
            let operands = comparison.namedChildren
            guard operands.count == 2, comparison.children.filter({ !$0.isNamed }).map(\.type) == ["=="] else { continue }
            for (a, b) in [(operands[0], operands[1]), (operands[1], operands[0])]
            where !["integer", "float"].contains(b.type) && facts.benchmarkValues(of: a).contains(Self.target) && !facts.benchmarkValues(of: b).isEmpty {
                evidence.append(facts.evidence(comparison, "global batch of 524,288 tokens asserted"))
            }
        }
        // A global budget divided into the accumulation count.
        for loop in facts.accumulationLoops {
            guard let iterable = loop.child(byField: "right"), iterable.type == "call" else { continue }
            for argument in facts.callSite(iterable).positional {
                guard let quotient = quotient(argument, facts), let dividend = quotient.child(byField: "left"),
                      facts.benchmarkValues(of: dividend).contains(Self.target) else { continue }
                evidence.append(facts.evidence(loop, "accumulation derived from a 524,288-token step"))
            }
        }
        return evidence
    }

    /// The division an accumulation count comes from (`total // (B * T * world)`), through one local or setting.
    func quotient(_ node: Node, _ facts: PythonFacts) -> Node? {
        var n = facts.unparenthesized(node)
        if n.type == "binary_operator", ["+", "-"].contains(n.child(byField: "operator")?.type ?? ""), let l = n.child(byField: "left") {
            n = facts.unparenthesized(l)
        }
        if ["identifier", "attribute"].contains(n.type) {
            let value = n.type == "identifier" ? facts.latestValue(of: n.text, before: n) : nil
            guard let v = value ?? SettingsTable.bareName(of: n).flatMap({ facts.allSettings.settings($0).first?.value }) else { return nil }
            n = facts.unparenthesized(v)
        }
        // A helper of the file computes it (`accum = grad_accum_steps(total, B, T, world)`): its returned quotient,
        // whose dividend (a parameter) resolves to the arguments its callers pass.
        if n.type == "call", let function = facts.calledFunction(facts.callSite(n)), let body = function.body,
           let returned = facts.descendants(of: body).last(where: { $0.type == "return_statement" && facts.enclosingFunction($0)?.node == function.node })?.namedChild(0) {
            n = facts.unparenthesized(returned)
        }
        guard n.type == "binary_operator", ["//", "/"].contains(n.child(byField: "operator")?.type ?? "") else { return nil }
        return n
    }
}
