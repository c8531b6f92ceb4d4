import Parsing
import TreeSitterKit

/// Command-line options declared by the libraries other than argparse that training scripts use, read as settings
/// the way `add_argument("--lr", default=...)` is: the option's default under the name the script reads it by.
///
/// - click: `@click.option("--peak-lr", default=0.0018)` on `def train(peak_lr, ...)` (the parameter is named after the
///   longest `--` flag, dashes as underscores, or after a declaration without dashes; `--tie/--no-tie` after its first
///   half);
/// - absl: `flags.DEFINE_float("learning_rate", 0.0018, "...")`, read back as `FLAGS.learning_rate`;
/// - typer: `def train(lr: float = typer.Option(0.0018, "--lr"))`, whose parameter default is the option's.
enum CommandLineFlags {
    /// The setting a click option or an absl flag declares: its name and default.
    static func declaredOption(_ call: CallSite) -> (name: String, written: String, value: Node)? {
        if call.name == "option", call.callee.hasSuffix("click.option") || call.callee == "option" {
            return clickOption(call)
        }
        if call.name.hasPrefix("DEFINE_"), let flag = call.argument("name", position: 0).flatMap(SettingsTable.stringValue),
           let value = call.argument("default", position: 1) {
            return (flag, "FLAGS.\(flag)", value)
        }
        return nil
    }

    private static func clickOption(_ call: CallSite) -> (name: String, written: String, value: Node)? {
        guard let value = call.keywords["default"] else { return nil }
        let declarations = call.positional.compactMap(SettingsTable.stringValue)
        if let explicit = declarations.first(where: { !$0.hasPrefix("-") && !$0.isEmpty }) {
            return (explicit, explicit, value)
        }
        // `--tie/--no-tie` is a switch named after its first half; the longest `--` spelling names the parameter.
        let spellings = declarations.map { String($0.split(separator: "/").first ?? Substring($0)).trimmingCharacters(in: .whitespaces) }
        guard let longest = spellings.max(by: { dashes($0) < dashes($1) || (dashes($0) == dashes($1) && $0.count < $1.count) }) else { return nil }
        var name = Substring(longest)
        while name.hasPrefix("-") { name = name.dropFirst() }
        guard !name.isEmpty else { return nil }
        return (name.replacingOccurrences(of: "-", with: "_").lowercased(), longest, value)
    }

    private static func dashes(_ spelling: String) -> Int { spelling.prefix { $0 == "-" }.count }

    /// The default a parameter takes when its declared default is a typer option (`typer.Option(0.0018, "--lr")`,
    /// `Option(default=0.0018)`); nil for any other default.
    static func optionDefault(_ value: Node, _ facts: PythonFacts) -> Node? {
        guard value.type == "call" else { return nil }
        let call = facts.callSite(value)
        guard ["Option", "Argument"].contains(call.name), call.callee.hasPrefix("typer.") || call.callee == call.name else { return nil }
        return call.keywords["default"] ?? call.positional.first.flatMap { first in
            // `typer.Option(..., "--lr")`: an Ellipsis first argument marks a required option.
            first.type == "ellipsis" ? nil : first
        }
    }
}

extension PythonFacts {
    /// The default a parameter of a function (or lambda) takes: the one it declares (a typer option's own default
    /// when it is declared through one), or, for a command whose options click declares in decorators
    /// (`@click.option("--n-head", default=6)` over `def train(n_head, ...)`), that option's default.
    public func parameterDefault(in definition: Node, _ name: String) -> Node? {
        // A gin binding of the parameter (`make_optimizer.lr = 0.0018`, `Block.act = @relu_squared`; see
        // `EmbeddedConfigDocuments`) is what a call that omits it gets.
        let bindings = ginBindings(of: name, in: definition)
        if bindings.count == 1 { return bindings[0].value }
        if let declared = definition.child(byField: "parameters")?.namedChildren.first(where: { $0.child(byField: "name")?.text == name })?
            .child(byField: "value") {
            return CommandLineFlags.optionDefault(declared, self) ?? declared
        }
        guard let decorated = definition.parent, decorated.type == "decorated_definition" else { return nil }
        for decorator in decorated.namedChildren where decorator.type == "decorator" {
            guard let expression = decorator.namedChildren.first.map(unparenthesized), expression.type == "call",
                  let option = CommandLineFlags.declaredOption(callSite(expression)), option.name == name,
                  !option.written.hasPrefix("FLAGS.") else { continue }
            return option.value
        }
        return nil
    }
}
