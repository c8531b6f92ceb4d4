import SourceModel
import TreeSitterKit

/// A place where a file gives a name a value: an assignment (module constant, dataclass field, attribute), an
/// argparse default, a dictionary entry, a keyword argument of a config class, or a parameter default.
public struct Setting {
    public enum Source: Int, Comparable, Sendable {
        case parameterDefault, localAssignment, moduleAssignment, classField, dictionaryEntry, argparseDefault, override

        public static func < (a: Source, b: Source) -> Bool { a.rawValue < b.rawValue }
    }

    /// The bare name (`lr` for `args.lr`, `self.lr`, `--lr`, `"lr"`).
    public let name: String
    /// The name as written where it is set (`Hyperparameters.learning_rate`, `args.lr`, `--peak-lr`).
    public let written: String
    public let value: Node
    public let source: Source
    /// The whole statement or entry that sets it (for evidence).
    public let site: Node

    /// Whether the value is just a variable of the same name (`lr=lr`, `self.lr = lr`).
    public let isForward: Bool

    public init(name: String, written: String, value: Node, source: Source, site: Node) {
        self.name = name
        self.written = written
        self.value = value
        self.source = source
        self.site = site
        isForward = value.type == "identifier" && value.text == name
    }
}

/// Every setting of a file (or file set), by bare name.
public struct SettingsTable {
    public private(set) var byName: [String: [Setting]] = [:]

    public init() {}

    /// A table of these settings (in file order), each name ranked once.
    public init(_ settings: [Setting]) {
        for setting in settings { byName[setting.name, default: []].append(setting) }
        for name in byName.keys { rank(name) }
    }

    /// `byName` in the order `settings(_:)` returns, kept up to date as settings arrive (it is read far more
    /// often than written).
    private var ranked: [String: [Setting]] = [:]

    public mutating func add(_ setting: Setting) {
        byName[setting.name, default: []].append(setting)
        rank(setting.name)
    }

    public mutating func merge(_ other: SettingsTable) {
        for (name, settings) in other.byName {
            byName[name, default: []].append(contentsOf: settings)
            rank(name)
        }
    }

    private mutating func rank(_ name: String) {
        ranked[name] = (byName[name] ?? []).enumerated().sorted { a, b in
            let fa = a.element.isForward, fb = b.element.isForward
            if fa != fb { return fb }
            return a.element.source != b.element.source ? a.element.source > b.element.source : a.offset < b.offset
        }.map(\.element)
    }

    /// Settings of a name, strongest source first (an explicit override beats an argparse default, which
    /// beats a class field, ...), then in file order. A setting that only forwards a variable of the same name
    /// (`dict(lr=lr)`, `{"lr": lr}` in an optimizer's `__init__`) comes last: the value is set elsewhere.
    public func settings(_ name: String) -> [Setting] { ranked[name] ?? [] }

    /// The table with each name's settings chosen by `keep` (given the name and its settings in file order).
    public func filtered(_ keep: (String, [Setting]) -> [Setting]) -> SettingsTable {
        var table = self
        for (name, settings) in byName {
            let kept = keep(name, settings)
            guard kept.count != settings.count else { continue }
            table.byName[name] = kept
            table.rank(name)
        }
        return table
    }

    /// The bare name a reference expression reads: `lr`, `args.lr`, `self.cfg.lr` -> `lr`; `cfg["lr"]` -> `lr`.
    public static func bareName(of node: Node) -> String? {
        switch node.type {
        case "identifier":
            return node.text
        case "attribute":
            return node.child(byField: "attribute")?.text
        case "subscript":
            guard let key = node.child(byField: "subscript"), key.type == "string",
                  let decoded = stringValue(key) else { return nil }
            return decoded
        default:
            return nil
        }
    }

    public static func stringValue(_ node: Node) -> String? {
        guard node.type == "string" else { return nil }
        var text = node.text
        for prefix in ["r", "R", "b", "B", "u", "U", "f", "F"] where text.hasPrefix(prefix) { text.removeFirst() }
        for quote in ["\"\"\"", "'''", "\"", "'"] where text.hasPrefix(quote) && text.hasSuffix(quote) && text.count >= 2 * quote.count {
            return String(text.dropFirst(quote.count).dropLast(quote.count))
        }
        return nil
    }
}
