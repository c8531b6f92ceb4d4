/// `compiler_skip_guard_eval`: after warmup, compiled code runs without re-checking Dynamo's guards.
///
/// Requires a call of `torch.compiler.set_stance` (module path or imported name) with `skip_guard_eval_unsafe`
/// resolving to true, as a keyword or through a `**` dictionary; used as a context manager, on an `ExitStack`, or
/// as a plain call. Rejects a stance set only around evaluation (validation code, `no_grad` blocks that compute
/// a validation loss), other stances with the flag absent or false, a variable or flag named like it that
/// never reaches `set_stance`, and other compiler options. Examples: `queries/python/compiler_skip_guard_eval/examples/`.
struct CompilerSkipGuardEval: Detector {
    let id = "compiler_skip_guard_eval"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let imports = facts.fullImports
        return facts.calls.compactMap { call in
            guard call.name == "set_stance", ["torch.compiler.set_stance", "torch._dynamo.set_stance"].contains(facts.resolvedCallee(call, imports: imports)),
                  let flag = facts.keywordArgument("skip_guard_eval_unsafe", of: call), facts.isTruthy(flag),
                  !facts.runsOnlyInEval(call.node) else { return nil }
            return facts.evidence(call.node, "set_stance(skip_guard_eval_unsafe=True)")
        }
    }
}
