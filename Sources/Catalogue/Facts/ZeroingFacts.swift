import Parsing
import TreeSitterKit

/// Tensors set to zero, in the spellings training scripts use at init.
extension PythonFacts {
    /// The tensor a call sets to zero: the receiver of `w.zero_()`, `w.fill_(0)`, `w.mul_(0)`,
    /// `w.copy_(torch.zeros_like(w))`; the first argument of `nn.init.zeros_(w)`, `nn.init.constant_(w, 0)`.
    public func zeroedTensor(_ call: CallSite) -> Node? {
        switch call.name {
        case "zeros_":
            return call.positional.first
        case "constant_":
            return call.argument("val", position: 1).flatMap { value(of: $0) }?.double == 0 ? call.positional.first : nil
        default:
            break
        }
        guard let receiver = call.receiver else { return nil }
        switch call.name {
        case "zero_":
            return receiver
        case "fill_", "mul_":
            return call.positional.first.flatMap { value(of: $0) }?.double == 0 ? receiver : nil
        case "copy_":
            return call.positional.first.map(isZeroTensor) == true ? receiver : nil
        default:
            return nil
        }
    }

    /// A tensor of zeros made fresh: `torch.zeros(...)`, `torch.zeros_like(x)`, `torch.full(shape, 0)`,
    /// `torch.full_like(x, 0.0)`, `x.new_zeros(...)`.
    public func isZeroTensor(_ node: Node) -> Bool {
        let node = unparenthesized(node)
        guard node.type == "call" else { return false }
        let call = callSite(node)
        switch call.callee {
        case "torch.zeros", "torch.zeros_like":
            return true
        case "torch.full", "torch.full_like":
            return call.argument("fill_value", position: 1).flatMap { value(of: $0) }?.double == 0
        default:
            return call.name == "new_zeros" && call.receiver != nil
        }
    }
}
