import Parsing
import TreeSitterKit

/// A call read as the per-tensor method it applies: `torch._foreach_lerp_(ms, gs, w)` is `ms.lerp_(gs, w)` over
/// each tensor of the list `ms`, `torch._foreach_sqrt(vs)` is `vs.sqrt()`. Any other call is itself.
///
/// Facts about one tensor (running averages, Adam steps, in-place updates) read calls through this view, so a
/// multi-tensor optimizer written with `torch._foreach_*` (an `update` function over a list or a pytree's leaves)
/// is read like the loop over tensors it stands for.
public struct MethodView {
    /// The method name (`lerp_`, `addcdiv_`, `sqrt`).
    public let name: String
    /// The tensor (or the list of tensors) the method is applied to.
    public let receiver: Node?
    /// The arguments after the receiver.
    public let positional: [Node]
    public let keywords: [String: Node]
    /// Whether the call is a `torch._foreach_*` call.
    public let isForeach: Bool
}

extension PythonFacts {
    static let foreachPrefix = "torch._foreach_"

    /// The call as a method call (see `MethodView`).
    public func methodView(_ call: CallSite) -> MethodView {
        if call.callee.hasPrefix(Self.foreachPrefix), call.receiver == nil, let first = call.positional.first {
            let name = String(call.callee.dropFirst(Self.foreachPrefix.count))
            if !name.isEmpty {
                return MethodView(name: name, receiver: first, positional: Array(call.positional.dropFirst()),
                                  keywords: call.keywords, isForeach: true)
            }
        }
        return MethodView(name: call.name, receiver: call.receiver, positional: call.positional, keywords: call.keywords,
                          isForeach: false)
    }
}
