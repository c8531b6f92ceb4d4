import Parsing
import TreeSitterKit

/// Families of attributes named at run time: `setattr(self, f"ve_{i}", nn.Embedding(V, d))` in a loop, read back with
/// `getattr(self, f"ve_{i}")`. Each pass of the loop sets one member; a read names one of them. Members are matched
/// by the shape of their f-string name (its constant text, each field a wildcard: `ve_*`), on the same object (and,
/// for `self`, in the same class). Attributes named by constant strings are plain attribute accesses and are not
/// read here.
extension PythonFacts {
    /// Methods that set an attribute of their receiver named by their first argument, with the keyword naming their
    /// second (`m.add_module(name, module)`, `m.register_buffer(name, tensor)`).
    static let attributeSettingMethods: [String: String] = [
        "add_module": "module", "register_module": "module", "register_parameter": "param", "register_buffer": "tensor",
    ]

    /// One member of an attribute family being set.
    public struct AttributeFamilyWrite {
        /// The `setattr(...)` / `add_module(...)` / `register_*(...)` call.
        public let call: CallSite
        /// The object whose attribute is set (`self`).
        public let object: Node
        /// The shape of the name (see `attributeFamilyPattern`).
        public let pattern: String
        /// The value the member is given.
        public let value: Node
    }

    /// The shape of an attribute name built at run time: an f-string with at least one field, its constant text
    /// kept and each field written `*` (`f"ve_{i}"` and `f"ve_{key}"` are both `ve_*`). Nil for any other expression.
    public func attributeFamilyPattern(_ name: Node) -> String? {
        let n = unwrapped(name)
        guard n.type == "string", n.children.contains(where: { $0.type == "interpolation" }) else { return nil }
        var pattern = ""
        for child in n.children {
            switch child.type {
            case "string_start", "string_end": continue
            case "interpolation": pattern += "*"
            default: pattern += child.text
            }
        }
        return pattern
    }

    /// Every write of an attribute-family member in the file (`setattr(obj, f"...", v)`, `obj.add_module(f"...", m)`,
    /// `obj.register_module`/`register_parameter`/`register_buffer` with an f-string name), in file order; read once.
    public var attributeFamilyWrites: [AttributeFamilyWrite] {
        memoized("attributeFamilyWrites") {
            var writes: [AttributeFamilyWrite] = []
            for call in calls {
                var object: Node?, name: Node?, value: Node?
                if call.callee == "setattr", call.receiver == nil, call.positional.count == 3 {
                    object = call.positional[0]
                    name = call.positional[1]
                    value = call.positional[2]
                } else if let keyword = Self.attributeSettingMethods[call.name], let receiver = call.receiver {
                    object = receiver
                    name = call.argument("name", position: 0)
                    value = call.argument(keyword, position: 1)
                }
                guard let object, let name, let value, let pattern = attributeFamilyPattern(name) else { continue }
                writes.append(AttributeFamilyWrite(call: call, object: unwrapped(object), pattern: pattern, value: value))
            }
            return writes
        }
    }

    /// For a read of an attribute-family member (`getattr(self, f"ve_{i}")`, with or without a default): the values
    /// the file gives the members of that family, set on the same object (by its text; `self` in the same class) under
    /// a name of the same shape. Empty for any other call, and for a family the file never sets.
    public func attributeFamilyValues(_ read: CallSite) -> [Node] {
        guard read.callee == "getattr", read.receiver == nil, read.positional.count >= 2,
              let pattern = attributeFamilyPattern(read.positional[1]) else { return [] }
        let object = unwrapped(read.positional[0])
        let owner = enclosingClass(read.node)?.node
        return attributeFamilyWrites.filter { write in
            write.pattern == pattern && write.object.text == object.text
                && (object.text != "self" || enclosingClass(write.call.node)?.node == owner)
        }.map(\.value)
    }
}
