import TreeSitterKit

/// `compiler_skip_guard_eval`: after warmup, compiled code runs without re-checking Dynamo's guards.
///
/// Requires a call of `torch.compiler.set_stance` (module path or imported name) with `skip_guard_eval_unsafe`
/// resolving to true (or turning true past a step of the enclosing training loop, `step >= warmup`), as a keyword or through a `**` dictionary; used as a context manager, on an `ExitStack`, or
/// as a plain call. Rejects a stance set only around evaluation (validation code, `no_grad` blocks that compute
/// a validation loss), other stances with the flag absent or false, a variable or flag named like it that
/// never reaches `set_stance`, and other compiler options. Examples: `queries/python/compiler_skip_guard_eval/examples/`.
struct CompilerSkipGuardEval: Detector {
    let id = "compiler_skip_guard_eval"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let imports = facts.fullImports
        return facts.calls.compactMap { call in
            guard call.name == "set_stance", ["torch.compiler.set_stance", "torch._dynamo.set_stance"].contains(facts.resolvedCallee(call, imports: imports)),
                  let flag = facts.keywordArgument("skip_guard_eval_unsafe", of: call),
                  facts.isTruthy(flag) || turnsOnWithSteps(flag, facts),
                  !facts.runsOnlyInEval(call.node) else { return nil }
            return facts.evidence(call.node, "set_stance(skip_guard_eval_unsafe=True)")
        }
    }

    /// A flag that turns on once training is past a step: `step >= warmup` (or `>`) on the variable of a loop that
    /// encloses the call.
    func turnsOnWithSteps(_ flag: Node, _ facts: PythonFacts) -> Bool {
        let comparison = facts.unparenthesized(flag)
        guard comparison.type == "comparison_operator" else { return false }
        let operators = comparison.children.filter { !$0.isNamed }.map(\.type)
        let operands = comparison.namedChildren
        guard operators.count == 1, operands.count == 2 else { return false }
        let stepSide: Node
        switch operators[0] {
        case ">", ">=": stepSide = operands[0]
        case "<", "<=": stepSide = operands[1]
        default: return false
        }
        let loopNames = Set(facts.enclosingLoops(comparison).flatMap(facts.loopVariables))
        return facts.descendants(of: stepSide).contains { $0.type == "identifier" && loopNames.contains($0.text) }
    }
}
