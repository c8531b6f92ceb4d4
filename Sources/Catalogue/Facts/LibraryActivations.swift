import Parsing
import TreeSitterKit

/// Activations taken from the Hugging Face `transformers` library by name: its table `ACT2FN[name]` (an activation
/// module per name) and `get_activation(name)`. The table's `"relu2"` entry is its squared ReLU
/// (`ReLUSquaredActivation`, `relu(x) ** 2`), which the class gives too when built directly.
extension PythonFacts {
    /// What a `transformers` activation lookup selects: `.some(name)` when the name is decided (a literal, or a
    /// setting every place agrees on), `.some(nil)` when it is a lookup whose name depends on the run, nil when `node`
    /// is no such lookup.
    func libraryActivationName(_ node: Node) -> String?? {
        let node = unwrapped(node)
        if node.type == "subscript", let table = node.child(byField: "value"),
           let name = imports.qualifiedName(of: table), name.hasPrefix("transformers."), name.lastDottedComponent == "ACT2FN" {
            return .some(node.child(byField: "subscript").flatMap(decidedString))
        }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        if call.callee.hasPrefix("transformers."), call.name == "get_activation" {
            return .some(call.argument("activation_string", position: 0).flatMap(decidedString))
        }
        if call.callee.hasPrefix("transformers."), call.name == "ReLUSquaredActivation" { return .some("relu2") }
        return nil
    }

    /// Squared ReLUs of the library held by a name or attribute the file calls (`self.act = ACT2FN["relu2"]`, then
    /// `self.act(h)`), or called on the spot (`ACT2FN["relu2"](h)`).
    var librarySquaredReLUs: [Node] {
        memoized("librarySquaredReLUs") {
            nodes(ofType: ["subscript", "call"]).filter { node in
                guard case .some(.some("relu2")) = libraryActivationName(node) else { return false }
                return isCalledObject(node)
            }
        }
    }

    /// Whether the object an expression makes is called: it is assigned to a name or attribute that some call of the
    /// file calls by that name (`self.loss(...)`, `act(...)`), or it is called on the spot (`Loss(cap=15)(w, h, y)`).
    func isCalledObject(_ node: Node) -> Bool {
        if let parent = node.parent, parent.type == "call", parent.child(byField: "function") == node { return true }
        guard let assignment = node.parent, assignment.type == "assignment", assignment.child(byField: "right") == node,
              let target = assignment.child(byField: "left"), let name = SettingsTable.bareName(of: target) else { return false }
        return !calls(named: name).filter { $0.node != node && $0.callee.lastDottedComponent == name }.isEmpty
    }
}
