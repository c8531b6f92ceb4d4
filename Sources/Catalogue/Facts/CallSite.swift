import Parsing
import SourceModel
import TreeSitterKit

/// A call in a Python file, with its callee resolved through imports and its arguments by position and name.
public final class CallSite {
    /// The `call` node.
    public let node: Node
    /// The called expression (`F.relu`, `self.norm`, `kernel[grid]`), without enclosing parentheses; for a mapped call
    /// (`isMapped`), the mapped function.
    public let function: Node?
    /// The called expression's dotted name with import aliases resolved (`F.relu` -> `torch.nn.functional.relu`,
    /// `self.lm_head` -> `self.lm_head`), or its text when it is not a name.
    public let callee: String
    /// The last part of the callee: a function or method name (`relu`, `step`, `AdamW`).
    public let name: String
    /// For a method call on a value (`x.square()`), the value.
    public let receiver: Node?
    public let positional: [Node]
    public let keywords: [String: Node]
    /// `*args` / `**kwargs` present: argument positions and names are not fully known.
    public let hasSplat: Bool
    /// Read from `map(f, items)`: the call of `f` on each element of `items` (`q, k = map(self.norm, (q, k))`).
    /// `node` is the `map` call; `positional` holds the iterables.
    public let isMapped: Bool
    /// Called through a name bound to what a gradient transform returns (`value_and_grad = torch.compile(
    /// torch.func.grad_and_value(loss_fn))`, then `grads, loss = value_and_grad(params, x, y)`): the call computes
    /// gradients (see `PythonFacts.gradientFunctionNames`).
    public let callsGradientFunction: Bool

    /// `aliases`: names bound to functions (`CallableAlias`); a call through one is a call of the function, its
    /// bound arguments first (keywords given at the call win).
    ///
    /// `readingMap`: a call of the builtin `map` with a named function (`map(f, items)`, `map(self.norm, (q, k))`)
    /// is read as that function's call on the items (`isMapped`).
    ///
    /// `gradientFunctions`: names bound to what a gradient transform returns; a call through one computes gradients.
    init(node: Node, imports: ImportTable, aliases: [String: CallableAlias] = [:], readingMap: Bool = false,
         gradientFunctions: Set<String> = []) {
        self.node = node
        var function = node.child(byField: "function")
        // tree-sitter-python reads `[*f(x)]` as a call of `*f`: the star unpacks what the call returns, `f` is called.
        if let f = function, f.type == "list_splat", let inner = f.namedChildren.first { function = inner }
        // `(torch.optim.Adam)(params)` calls what the parentheses hold (the respelling of `getattr(torch.optim,
        // "Adam")(params)`, see `constantAttributeRespellings`, reads so).
        while let f = function, f.type == "parenthesized_expression", let inner = f.namedChildren.first(where: { $0.type != "comment" }) {
            function = inner
        }
        var skipped = 0
        if readingMap, let mapped = Self.mappedFunction(node, function: function, imports: imports) {
            function = mapped
            skipped = 1
        }
        isMapped = skipped == 1
        self.function = function
        let alias = aliases.isEmpty ? nil : function.flatMap { f in
            f.type == "identifier" || f.type == "attribute" ? aliases[f.text] : Self.keyedEntryName(f).flatMap { aliases[$0] }
        }
        let resolved = function.flatMap { imports.qualifiedName(of: $0) }
        let calleeText = alias?.callee ?? resolved ?? function?.text ?? ""
        callsGradientFunction = alias == nil && skipped == 0 && !gradientFunctions.isEmpty
            && function.map { ($0.type == "identifier" || $0.type == "attribute") && gradientFunctions.contains($0.text) } == true
        if alias == nil, let function, function.type == "attribute", let object = function.child(byField: "object") {
            var head = object
            while head.type == "attribute", let inner = head.child(byField: "object") { head = inner }
            let imported = head.type == "identifier" && imports.bindings[head.text] != nil
            receiver = imported ? nil : object
        } else {
            receiver = nil
        }
        var positional: [Node] = alias?.positional ?? [], keywords: [String: Node] = alias?.keywords ?? [:], splat = false
        if let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" {
            // (A mapped call's first argument is the function, read above.)
            for argument in arguments.namedChildren where argument.type != "comment" && !(skipped == 1 && argument == function) {
                switch argument.type {
                case "keyword_argument":
                    if let key = argument.child(byField: "name")?.text, let value = argument.child(byField: "value") {
                        keywords[key] = value
                    }
                case "list_splat", "dictionary_splat":
                    splat = true
                default:
                    positional.append(argument)
                }
            }
        }
        self.positional = positional
        self.keywords = keywords
        hasSplat = splat
        callee = calleeText
        name = callee.lastDottedComponent
    }

    /// The name a table's entry read by a string key goes by among callable aliases (`KERNELS["attention"]` for
    /// `KERNELS['attention']`, see `PythonFacts.computeCallableAliases`); nil for any other expression.
    static func keyedEntryName(_ node: Node) -> String? {
        guard node.type == "subscript", let table = node.child(byField: "value"), table.type == "identifier" || table.type == "attribute",
              let key = node.child(byField: "subscript").flatMap(SettingsTable.stringValue) else { return nil }
        return "\(table.text)[\(key)]"
    }

    /// For `map(f, items...)` with the builtin `map` and `f` a name (not a lambda or a call), `f`.
    private static func mappedFunction(_ node: Node, function: Node?, imports: ImportTable) -> Node? {
        guard let function, function.type == "identifier", function.hasText("map"), imports.bindings["map"] == nil,
              let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let items = arguments.namedChildren.filter { $0.type != "comment" }
        guard items.count >= 2, items.allSatisfy({ !["keyword_argument", "list_splat", "dictionary_splat"].contains($0.type) }),
              items[0].type == "identifier" || items[0].type == "attribute" else { return nil }
        return items[0]
    }

    /// The argument passed for a parameter, by keyword or else by position.
    public func argument(_ name: String, position: Int? = nil) -> Node? {
        if let value = keywords[name] { return value }
        if let position, position >= 0, position < positional.count { return positional[position] }
        return nil
    }

    /// Whether the callee is one of `names`, compared on the resolved dotted name or, for names given with
    /// a leading dot (`.square`), on the last part only.
    public func calls(_ names: Set<String>) -> Bool {
        names.contains(callee) || names.contains("." + name)
    }
}

extension CallSite {
    static let gradientTransforms: Set<String> = ["torch.func.grad", "torch.func.grad_and_value", "functorch.grad", "functorch.grad_and_value"]

    /// Whether the call computes gradients of a loss: `loss.backward()`, `torch.autograd.backward(loss)`,
    /// `torch.autograd.grad(loss, params)` (functional training loops), `torch.func.grad(...)`, or a call of the
    /// function such a transform returned, held by a name (`callsGradientFunction`).
    public var computesGradients: Bool {
        if name == "backward" || callsGradientFunction { return true }
        return ["torch.autograd.grad", "torch.autograd.backward"].contains(callee) || Self.gradientTransforms.contains(callee)
    }

    /// The loss a gradient call differentiates: the receiver of `loss.backward()`, else the first argument (none for
    /// a call of a transformed function, whose loss is computed inside it).
    public var differentiatedLoss: Node? {
        if name == "backward", let receiver { return receiver }
        return computesGradients && !callsGradientFunction ? positional.first : nil
    }
}
