import Parsing
import TreeSitterKit

/// Helpers of the file that split a dictionary by a key prefix and hand back both parts, the prefixed entries with the
/// prefix cut off and the rest: x-transformers' `attn_kwargs, kwargs = groupby_prefix_and_trim("attn_", kwargs)`, which
/// layer stacks use to route `attn_qk_norm=True` to their attention's `qk_norm`. A name unpacked from such a call is
/// read like the prefix-filtering comprehension of `ForwardedKeywords.swift` (see `PythonFacts.prefixRoute`).
extension PythonFacts {
    /// How a helper splits: the positions of its prefix and dictionary parameters, and which element of the pair it
    /// returns holds the prefixed entries (trimmed).
    struct PrefixSplit {
        let prefixParameter: Int
        let sourceParameter: Int
        let routedElement: Int
    }

    /// Whether `function` splits a dictionary by a prefix it is given: two parameters, a returned pair of names, a key
    /// test `startswith(prefix)` in its body or in a function of the file it hands the prefix to (a predicate helper, a
    /// lambda), and one returned name computed with the prefix cut off its keys (`x[0][len(prefix):]`,
    /// `k.removeprefix(prefix)`): that name holds the prefixed entries. Nil for anything else.
    func prefixSplit(_ function: Function) -> PrefixSplit? {
        memoized("prefixSplit/\(function.node.startByte)") { () -> PrefixSplit? in
            let parameters = function.passedParameters
            guard parameters.count == 2, let body = function.body else { return nil }
            let returned = returnedValues(function).map(unwrapped)
            guard returned.count == 1, ["expression_list", "tuple"].contains(returned[0].type) else { return nil }
            let elements = returned[0].namedChildren.filter { $0.type != "comment" }.map(unwrapped)
            guard elements.count == 2, elements.allSatisfy({ $0.type == "identifier" }) else { return nil }
            for (prefixIndex, prefix) in parameters.enumerated() {
                guard testsPrefix(prefix, in: body, depth: 0) else { continue }
                let trimmedElements = elements.indices.filter { index in
                    localValues(of: elements[index].text, around: elements[index]).contains { cutsPrefix(prefix, in: $0) }
                }
                guard trimmedElements.count == 1 else { continue }
                return PrefixSplit(prefixParameter: prefixIndex, sourceParameter: 1 - prefixIndex, routedElement: trimmedElements[0])
            }
            return nil
        }
    }

    /// A `startswith(name)` call in `scope`, or a call handing `name` to a function of the file that tests its own
    /// parameter so (two functions deep).
    private func testsPrefix(_ name: String, in scope: Node, depth: Int) -> Bool {
        for node in descendants(of: scope) where node.type == "call" {
            let call = callSite(node)
            let handed = call.positional.firstIndex { unwrapped($0).type == "identifier" && unwrapped($0).text == name }
            if call.name == "startswith", handed == 0 { return true }
            guard depth < 2, let index = handed, call.receiver == nil else { continue }
            for target in targets(of: call) where target.node != scope {
                let parameters = target.passedParameters
                guard index < parameters.count, let inner = target.body else { continue }
                if testsPrefix(parameters[index], in: inner, depth: depth + 1) { return true }
            }
        }
        return false
    }

    /// An expression that cuts `name`'s length off the front of something (`k[len(prefix):]`) or calls
    /// `removeprefix(name)`.
    private func cutsPrefix(_ name: String, in expression: Node) -> Bool {
        descendants(of: expression).contains { n in
            if n.type == "slice", let start = n.namedChildren.first, start.type == "call", n.text.hasSuffix(":") {
                let length = callSite(start)
                return length.callee == "len" && length.positional.first.map { unwrapped($0).text == name } == true
            }
            guard n.type == "call", case let call = callSite(n), call.name == "removeprefix" else { return false }
            return call.positional.first.map { unwrapped($0).text == name } == true
        }
    }

    /// The route a name unpacked from a prefix-splitting helper's call stands for, where its latest binding before
    /// `use` is such an unpacking (`attn_kwargs, kwargs = groupby_prefix_and_trim("attn_", kwargs)`): the dictionary
    /// split (a name), the prefix, and whether the name holds the prefixed entries (trimmed) or the rest.
    func prefixSplitRoute(_ name: String, before use: Node) -> (source: String, prefix: String, routed: Bool)? {
        let earlier = dataflow.bindings(of: name, at: use).filter { $0.site.endByte <= use.startByte }
        guard let latest = earlier.max(by: { $0.site.startByte < $1.site.startByte }), case .element(let index) = latest.kind,
              latest.node.type == "call", case let call = callSite(latest.node), !call.hasSplat else { return nil }
        for function in targets(of: call) {
            guard let split = prefixSplit(function) else { continue }
            let parameters = function.passedParameters
            guard let prefixArgument = call.argument(parameters[split.prefixParameter], position: split.prefixParameter),
                  let prefix = SettingsTable.stringValue(unwrapped(prefixArgument)),
                  let sourceArgument = call.argument(parameters[split.sourceParameter], position: split.sourceParameter).map(unwrapped),
                  sourceArgument.type == "identifier" else { return nil }
            return (sourceArgument.text, prefix, index == split.routedElement)
        }
        return nil
    }
}
