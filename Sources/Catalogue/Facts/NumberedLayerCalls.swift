import Parsing
import TreeSitterKit

/// Layers held as numbered attributes and called one statement each (`self.layer0 = Block(...)` ... `self.layer11 =
/// Block(...)`, then `x = self.layer0(x, ve0, x0, mask)`, ..., `x = self.layer11(x, ve0, x0, mask)` written out): the
/// unrolled form of a loop over a `ModuleList`. A family is the calls, in one function, of attributes of one object
/// whose names share a stem and end in a number (`self.layer`, `self.h_`); the numbers must run without a gap (from 0
/// or any start, rebased to 0) and each be called once, so that `calls[l]` is layer l. The places the calls pass
/// arguments in (`columns`) then read, layer by layer, what a loop would have read with the layer's index.
extension PythonFacts {
    /// One family of numbered attributes called one by one in a function.
    public struct NumberedLayerCalls {
        /// The function making the calls.
        public let function: Node
        /// The object and the name stem (`self.layer`).
        public let family: String
        /// The calls in layer order: `calls[l]` calls member l (numbers rebased so the first is 0).
        public let calls: [CallSite]

        /// The arguments the calls pass in each place, layer by layer: positional ones by index, then keywords by
        /// name (sorted); nil where a call passes nothing there.
        public var columns: [[Node?]] {
            let width = calls.map(\.positional.count).max() ?? 0
            var result: [[Node?]] = (0..<width).map { index in
                calls.map { index < $0.positional.count ? $0.positional[index] : nil }
            }
            let names = Set(calls.flatMap(\.keywords.keys)).sorted()
            for name in names { result.append(calls.map { $0.keywords[name] }) }
            return result
        }
    }

    /// The stem and the number of an attribute name ending in digits (`layer11` -> (`layer`, 11), `h_3` -> (`h_`,
    /// 3)); nil when the name has no digits at its end, is only digits, or the number exceeds 999.
    static func numberedName(_ name: String) -> (stem: String, number: Int)? {
        let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count < name.count, digits.count <= 3,
              let number = Int(String(digits.reversed())) else { return nil }
        return (stem: String(name.dropLast(digits.count)), number: number)
    }

    /// Every family of at least four numbered attributes called one by one in a function of the file (see
    /// `NumberedLayerCalls`), in file order; a family with a number called twice or a gap in its numbers is left out.
    public var numberedLayerCalls: [NumberedLayerCalls] {
        memoized("numberedLayerCalls") {
            var groups: [String: (function: Node, family: String, members: [Int: CallSite], repeated: Bool)] = [:]
            var order: [String] = []
            for call in calls {
                guard let function = call.function.map(unwrapped), function.type == "attribute",
                      let object = function.child(byField: "object"), let name = function.child(byField: "attribute")?.text,
                      let numbered = Self.numberedName(name), let owner = enclosingFunction(call.node)?.node else { continue }
                let family = "\(compact(object)).\(numbered.stem)"
                let key = "\(owner.startByte):\(family)"
                if groups[key] == nil { groups[key] = (owner, family, [:], false); order.append(key) }
                if groups[key]!.members[numbered.number] != nil { groups[key]!.repeated = true }
                groups[key]!.members[numbered.number] = call
            }
            return order.compactMap { key -> NumberedLayerCalls? in
                guard let group = groups[key], !group.repeated, group.members.count >= 4,
                      let first = group.members.keys.min(), let last = group.members.keys.max(),
                      last - first + 1 == group.members.count else { return nil }
                let calls = (first...last).map { group.members[$0]! }
                return NumberedLayerCalls(function: group.function, family: group.family, calls: calls)
            }
        }
    }

    /// What an argument of a layer call passes: for a name, the value it was last given before the call
    /// (`tv0` with `tv0 = vrow[:, :, 0 * d:1 * d]`); otherwise the argument itself.
    public func passedValue(_ argument: Node) -> Node {
        let n = unwrapped(argument)
        guard n.type == "identifier", let value = latestValue(of: n.text, before: n) else { return n }
        return unwrapped(value)
    }
}
