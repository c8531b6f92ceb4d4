import Foundation
import Parsing
import SourceModel
import TreeSitterKit

/// Resolves expressions to numbers: constants are folded, and a name is followed to where it is set (a module
/// constant, a dataclass field, an argparse default, a dictionary entry, a parameter's argument at the call
/// sites of its function). Bounded: at most `maxDepth` hops, and no setting is followed twice in one chain.
public final class ValueResolver {
    unowned let facts: PythonFacts
    static let maxDepth = 8
    private var active = Set<Int>()
    private var depth = 0

    init(facts: PythonFacts) { self.facts = facts }

    public func value(of node: Node) -> NumericValue? { values(of: node).first }

    /// Answers to outermost questions. Only those are kept: an answer found inside a chain may be cut short by
    /// the chain's own cycle and depth guards, an outermost one never is.
    private var answers: [Node: [NumericValue]] = [:]

    /// Answers found inside the current outermost question, cleared when it is answered. Without it a name set in
    /// many places (a script that repeats its model code) fans out at every hop: n settings, `maxDepth` hops deep.
    private var chainAnswers: [Node: [NumericValue]] = [:]

    public func values(of node: Node) -> [NumericValue] {
        guard depth == 0 else {
            if let known = chainAnswers[node] { return known }
            let result = resolve(node)
            chainAnswers[node] = result
            return result
        }
        if let known = answers[node] { return known }
        let result = resolve(node)
        chainAnswers.removeAll(keepingCapacity: true)
        answers[node] = result
        return result
    }

    private func resolve(_ node: Node) -> [NumericValue] {
        guard depth < Self.maxDepth, !active.contains(node.startByte * 31 + node.endByte) else { return [] }
        let key = node.startByte * 31 + node.endByte
        active.insert(key)
        depth += 1
        defer {
            active.remove(key)
            depth -= 1
        }
        // Resolving names inside a folded expression: every name takes its first (strongest) value.
        let folder = ConstantFolder(imports: facts.imports) { [unowned self] name in
            self.nameValues(name, at: node).first
        }
        if let value = folder.evaluate(node) { return [value] }
        // A number made a tensor keeps its value: torch.tensor(15.0), torch.as_tensor(cap).
        if node.type == "call", let function = node.child(byField: "function"),
           ["torch.tensor", "torch.as_tensor", "torch.scalar_tensor"].contains(facts.imports.qualifiedName(of: function) ?? ""),
           let argument = facts.callSite(node).positional.first {
            return values(of: argument)
        }
        if ["identifier", "attribute", "subscript"].contains(node.type) {
            return dedup(referenceValues(node))
        }
        if node.type == "call" {
            // An environment knob with a default (`os.environ.get("SEQ", 48 * 1024)`): the default, a string one
            // read as the number it spells.
            if let fallback = facts.environmentDefault(node) {
                if let text = SettingsTable.stringValue(fallback)?.trimmingCharacters(in: .whitespaces) {
                    return (Int(text).map { NumericValue.int($0) } ?? Double(text).map { NumericValue.float($0) }).map { [$0] } ?? []
                }
                return values(of: fallback)
            }
            // int(...) / float(...) around something only the resolver can follow (the fold failed on it).
            let call = facts.callSite(node)
            if ["int", "float"].contains(call.callee), call.positional.count == 1, call.keywords.isEmpty {
                return values(of: call.positional[0]).compactMap { v in
                    guard call.callee == "int" else { return .float(v.double) }
                    return v.double.isFinite && Swift.abs(v.double) < 1e15 ? .int(Int(v.double.rounded(.towardZero))) : nil
                }
            }
        }
        return []
    }

    /// Values a reference (`lr`, `args.lr`, `cfg["lr"]`) may have.
    func referenceValues(_ node: Node) -> [NumericValue] {
        var result: [NumericValue] = []
        // A parameter of the enclosing function (or of an outer one a nested function captures it from): the
        // arguments its callers pass.
        for argument in facts.callerArguments(of: node) { result += values(of: argument) }
        if let name = SettingsTable.bareName(of: node) {
            result += nameValues(name, at: node)
        }
        return result
    }

    func nameValues(_ name: String, at use: Node) -> [NumericValue] {
        let bare = name.lastDottedComponent
        var result: [NumericValue] = []
        for setting in facts.allSettings.settings(bare) where setting.value != use && !setting.value.byteRange.contains(use.startByte) {
            if let number = argparseNumber(setting) {
                result.append(number)
                continue
            }
            result += values(of: setting.value)
        }
        return dedup(result)
    }

    /// An argparse default written as a string and converted by its `type` (`type=float, default="1e-10"`):
    /// argparse converts a string default, so the option holds the number.
    func argparseNumber(_ setting: Setting) -> NumericValue? {
        guard setting.source == .argparseDefault, setting.value.type == "string", setting.site.type == "call",
              let text = SettingsTable.stringValue(setting.value)?.trimmingCharacters(in: .whitespaces) else { return nil }
        switch facts.callSite(setting.site).keywords["type"]?.text {
        case "float": return Double(text).map { .float($0) }
        case "int": return Int(text).map { .int($0) }
        default: return nil
        }
    }

    func dedup(_ values: [NumericValue]) -> [NumericValue] {
        var seen: [NumericValue] = []
        for v in values where !seen.contains(where: { $0.isClose(to: v) }) { seen.append(v) }
        return seen
    }

    /// A string literal, or a name set to one.
    public func string(of node: Node) -> String? {
        if let s = SettingsTable.stringValue(node) { return s }
        guard let name = SettingsTable.bareName(of: node) else { return nil }
        for setting in facts.allSettings.settings(name) where setting.value.type == "string" {
            return SettingsTable.stringValue(setting.value)
        }
        return nil
    }
}
