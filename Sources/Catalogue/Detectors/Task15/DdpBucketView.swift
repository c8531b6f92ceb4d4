/// `ddp_bucket_view`: DDP lets gradients alias its communication buckets (`gradient_as_bucket_view=True`),
/// usually with `broadcast_buffers=False`.
///
/// Requires a `DistributedDataParallel(...)` construction (any alias or the full path, also a call of a name set to
/// `functools.partial(DDP, ...)`, whose bound keywords count) whose `gradient_as_bucket_view` resolves to true: a
/// literal, a name, dataclass field or argparse default, an entry of a dictionary spread with `**` (also one written
/// into it in a loop over literal pairs, `for k, v in (("gradient_as_bucket_view", True),): opts[k] = v`; also of a
/// configuration document loaded from a string, `**json.loads(DDP_JSON)`, see `keywordArgument`), or an attribute of
/// an object of the file's classes spread as a mapping (`**DDPOptions()`, the class defining `keys` and a
/// `__getitem__` returning `getattr(self, key)`; see `PythonFacts.mappingEntry`). A partial that is never called builds
/// nothing. `broadcast_buffers=False` is reported when present, not required.
/// Rejects DDP without the keyword or with it false, no DDP at all, the keyword in comments, and a construction in
/// a method of a class nothing builds, subclasses or names (see `PythonFacts.mayRun`; a helper function is kept even
/// when the file does not call it, as a module of a package may be called from elsewhere).
/// Examples: `queries/python/ddp_bucket_view/examples/`.
struct DdpBucketView: Detector {
    let id = "ddp_bucket_view"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let imports = facts.fullImports
        return facts.calls.compactMap { call in
            guard call.name == "DistributedDataParallel" || call.name == "DDP",
                  facts.resolvedCallee(call, imports: imports) == "torch.nn.parallel.DistributedDataParallel"
                    || facts.resolvedCallee(call, imports: imports) == "torch.nn.parallel.distributed.DistributedDataParallel",
                  let flag = facts.keywordArgument("gradient_as_bucket_view", of: call), facts.isTruthy(flag),
                  facts.enclosingClass(call.node) == nil || facts.mayRun(call.node) else { return nil }
            let buffers = facts.keywordArgument("broadcast_buffers", of: call).map { !facts.isTruthy($0) } ?? false
            return facts.evidence(call.node, buffers ? "DDP(gradient_as_bucket_view=True, broadcast_buffers=False)" : "DDP(gradient_as_bucket_view=True)")
        }
    }
}
