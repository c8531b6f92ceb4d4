import TreeSitterKit

/// An einops rearrangement or reduction pattern (`"b t (h d) -> b h t d"`) read into its two sides, so that detectors
/// ask about axes rather than about the characters of the string. Each side is a list of terms: an axis (`t`, or a
/// number such as `1`), a group of axes in parentheses (`(h d)`; `()` is an empty group, a unit axis), or the
/// ellipsis (`...`). Nested or unbalanced parentheses, a missing or repeated arrow, make no pattern.
public struct EinopsPattern: Equatable, Sendable {
    public enum Term: Equatable, Sendable {
        case axis(String)
        case group([String])
        case ellipsis

        /// The axis names the term stands for (a group's in order; none for the ellipsis).
        public var axes: [String] {
            switch self {
            case .axis(let name): [name]
            case .group(let names): names
            case .ellipsis: []
            }
        }

        /// An axis of size one: `1` or `()`.
        public var isUnit: Bool { self == .axis("1") || self == .group([]) }

        public var isGroup: Bool {
            if case .group = self { return true }
            return false
        }
    }

    public let input: [Term]
    public let output: [Term]

    public init?(_ text: String) {
        let sides = text.components(separatedBy: "->")
        guard sides.count == 2, let input = Self.terms(sides[0]), let output = Self.terms(sides[1]) else { return nil }
        self.input = input
        self.output = output
    }

    /// The terms of one side, in order.
    static func terms(_ side: String) -> [Term]? {
        var terms: [Term] = [], group: [String]? = nil
        let spaced = side.replacingOccurrences(of: "(", with: " ( ").replacingOccurrences(of: ")", with: " ) ")
        for token in spaced.split(whereSeparator: \.isWhitespace).map(String.init) {
            switch token {
            case "(":
                guard group == nil else { return nil }
                group = []
            case ")":
                guard let members = group else { return nil }
                terms.append(.group(members))
                group = nil
            case "...":
                guard group == nil else { return nil }
                terms.append(.ellipsis)
            default:
                if group != nil { group?.append(token) } else { terms.append(.axis(token)) }
            }
        }
        return group == nil ? terms : nil
    }

    /// The first group of the input side with its axes (`b t (h d) -> ...`: `["h", "d"]`).
    public var firstInputGroup: [String]? {
        input.lazy.compactMap { term -> [String]? in
            if case .group(let names) = term { return names }
            return nil
        }.first
    }

    /// Whether the output keeps the input's terms but the last, in order, and drops that one or leaves a unit axis in
    /// its place (`b h t c -> b h t 1`, `b t d -> b t ()`, `... c -> ...`, `b t d -> b t`): a reduction over the last
    /// axis alone. False when the input groups axes, or its last term is the ellipsis.
    public var reducesLastAxisOnly: Bool {
        guard let last = input.last, last != .ellipsis, !input.contains(where: \.isGroup) else { return false }
        return Array(input.dropLast()) == output.filter { !$0.isUnit }
    }
}

extension PythonFacts {
    /// The pattern of an einops call (`rearrange(t, PATTERN, ...)`, `reduce(t, PATTERN, "mean")`, `repeat`; the
    /// pattern also by keyword, or held by a name the file sets), read with `EinopsPattern`. Nil when the pattern is not
    /// a string the file resolves or cannot be read.
    public func einopsPattern(_ call: CallSite) -> EinopsPattern? {
        call.argument("pattern", position: 1).flatMap { string(of: $0) }.flatMap(EinopsPattern.init)
    }
}
