import Parsing
import TreeSitterKit

/// What a factory of the file returns when the caller knows the string it passed: a handle kept only for one kind
/// (`if kind == "muon": muon_opt = opt`, with `opt = make_optimizer(kind, ...)` and the factory returning `Muon(...)`
/// under `if name == "muon":`) holds only what the factory builds for that kind.
extension PythonFacts {
    /// The values a name may hold when every assignment of it (`None` aside) stores what a factory call returned, under
    /// tests that fix a string the call passed (`kind == "muon"` around `muon_opt = opt`, `opt = make_optimizer(kind,
    /// ...)`): the factory's returned values whose path the tests allow (see `reaches`, run with the factory's
    /// parameters given those strings). Nil when an assignment is anything else, or no test fixes an argument.
    func guardedFactoryResults(_ name: Node) -> [Node]? {
        let n = unwrapped(name)
        guard n.type == "identifier" else { return nil }
        var results: [Node] = []
        for binding in dataflow.bindings(of: n.text, at: n) {
            guard binding.kind == .value else { return nil }
            let value = unwrapped(binding.node)
            if value.type == "none" { continue }
            guard value.type == "identifier", let made = latestValue(of: value.text, before: binding.site).map(unwrapped),
                  made.type == "call", case let call = callSite(made), let factory = calledFunction(call) else { return nil }
            // The strings the tests around the assignment fix for the names the call passes.
            var known: [String: String] = [:]
            for (index, parameter) in factory.passedParameters.enumerated() {
                guard let argument = call.argument(parameter, position: index).map(unwrapped), argument.type == "identifier" else { continue }
                for test in holdingConditions(binding.site) {
                    if let text = fixedString(test, of: argument.text) { known[parameter] = text }
                }
            }
            guard !known.isEmpty else { return nil }
            for returned in returnedValues(factory) where reaches(returned, in: factory, given: { known[$0] }) != false {
                results.append(unwrapped(returned))
            }
        }
        return results.isEmpty ? nil : results
    }

    /// The string a test fixes for a name: `name == "x"` or `"x" == name`. Nil for any other test.
    func fixedString(_ test: Node, of name: String) -> String? {
        let t = unwrapped(test)
        guard t.type == "comparison_operator", t.children.filter({ !$0.isNamed }).map(\.type) == ["=="] else { return nil }
        let parts = t.namedChildren.filter { $0.type != "comment" }.map(unwrapped)
        guard parts.count == 2 else { return nil }
        if parts[0].type == "identifier", parts[0].text == name { return SettingsTable.stringValue(parts[1]) }
        if parts[1].type == "identifier", parts[1].text == name { return SettingsTable.stringValue(parts[0]) }
        return nil
    }
}
