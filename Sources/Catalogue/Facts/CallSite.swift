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
        let mapped = readingMap ? Self.mappedFunction(node, function: function, imports: imports) : nil
        if let mapped { function = mapped.function }
        isMapped = mapped != nil
        self.function = function
        let alias = aliases.isEmpty ? nil : function.flatMap { f in
            f.type == "identifier" || f.type == "attribute" ? aliases[f.text] : Self.keyedEntryName(f).flatMap { aliases[$0] }
        }
        let resolved = function.flatMap { imports.qualifiedName(of: $0) }
        let calleeText = alias?.callee ?? resolved ?? function?.text ?? ""
        callsGradientFunction = alias == nil && mapped == nil && !gradientFunctions.isEmpty
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
        if let mapped {
            // A mapped call's arguments are what the partial binds, then the sequences (read above).
            positional += mapped.positional + mapped.items
            keywords.merge(mapped.keywords) { $1 }
        } else if let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" {
            for argument in arguments.namedChildren where argument.type != "comment" {
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

    /// For `map(f, items...)` with the builtin `map` and `f` a name (not a lambda), `f` and the sequences; for
    /// `itertools.starmap(f, zip(a, b))`, `f` and the zipped sequences (`a`, `b`); for `functools.partial(f, a, k=v)`
    /// in `f`'s place, `f` with the arguments the partial binds (its positional ones come before the sequences).
    private static func mappedFunction(_ node: Node, function: Node?, imports: ImportTable)
        -> (function: Node, positional: [Node], keywords: [String: Node], items: [Node])? {
        guard let function, let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let given = arguments.namedChildren.filter { $0.type != "comment" }
        guard given.count >= 2, given.allSatisfy({ !["keyword_argument", "list_splat", "dictionary_splat"].contains($0.type) })
        else { return nil }
        var sequences = Array(given.dropFirst())
        if function.type == "identifier", function.hasText("map"), imports.bindings["map"] == nil {
            // The builtin map: the sequences are its other arguments.
        } else if imports.qualifiedName(of: function) == "itertools.starmap", sequences.count == 1,
                  sequences[0].type == "call", sequences[0].child(byField: "function").map({ $0.hasText("zip") }) == true,
                  imports.bindings["zip"] == nil, let zipped = sequences[0].child(byField: "arguments"), zipped.type == "argument_list" {
            sequences = zipped.namedChildren.filter { $0.type != "comment" }
            guard !sequences.isEmpty, sequences.allSatisfy({ !["keyword_argument", "list_splat", "dictionary_splat"].contains($0.type) })
            else { return nil }
        } else {
            return nil
        }
        let items = given
        if items[0].type == "identifier" || items[0].type == "attribute" { return (items[0], [], [:], sequences) }
        guard items[0].type == "call", let wrapper = items[0].child(byField: "function"),
              ["functools.partial", "partial"].contains(imports.qualifiedName(of: wrapper) ?? ""),
              let bound = items[0].child(byField: "arguments"), bound.type == "argument_list" else { return nil }
        let parts = bound.namedChildren.filter { $0.type != "comment" }
        guard let wrapped = parts.first, wrapped.type == "identifier" || wrapped.type == "attribute",
              !parts.contains(where: { ["list_splat", "dictionary_splat"].contains($0.type) }) else { return nil }
        var positional: [Node] = [], keywords: [String: Node] = [:]
        for part in parts.dropFirst() {
            if part.type == "keyword_argument" {
                guard let key = part.child(byField: "name")?.text, let value = part.child(byField: "value") else { return nil }
                keywords[key] = value
            } else {
                positional.append(part)
            }
        }
        return (wrapped, positional, keywords, sequences)
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
    /// a call of a transformed function, whose loss is computed inside it). A trainer object's `backward` handed the
    /// loss (Accelerate's `accelerator.backward(loss)`, Fabric's `fabric.backward(loss)`) differentiates its argument;
    /// an argument that reads the receiver (`loss.backward(torch.ones_like(loss))`, the gradient to start from) leaves
    /// the receiver the loss.
    public var differentiatedLoss: Node? {
        if name == "backward", let receiver {
            if let first = positional.first, !Self.mentions(first, receiver.text) { return first }
            return receiver
        }
        return computesGradients && !callsGradientFunction ? positional.first : nil
    }

    /// Whether an expression reads `text` (an identifier or an attribute chain) anywhere in it.
    static func mentions(_ node: Node, _ text: String) -> Bool {
        if (node.type == "identifier" || node.type == "attribute") && node.text == text { return true }
        return node.namedChildren.contains { mentions($0, text) }
    }
}
