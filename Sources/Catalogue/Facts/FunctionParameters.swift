import TreeSitterKit

/// One parameter of a `def` or `lambda` as a call fills it: by position or keyword, by keyword only (after `*` or
/// `*args`), or as the collector of the remaining positional (`*args`) or keyword (`**kwargs`) arguments.
public struct FunctionParameter: Equatable {
    public enum Kind: Equatable {
        case positional
        case keywordOnly
        case variadic
        case variadicKeywords
    }

    public let name: String
    public let kind: Kind

    /// Whether a call gives it one argument (not `*args` or `**kwargs`).
    public var takesOneArgument: Bool { kind == .positional || kind == .keywordOnly }

    /// The parameters of a `parameters` / `lambda_parameters` node, in order; the bare `*` and `/` markers are not
    /// parameters (a `*` makes the ones after it keyword-only, as `*args` does).
    public static func list(_ parameters: Node?) -> [FunctionParameter] {
        guard let parameters else { return [] }
        var result: [FunctionParameter] = []
        var keywordOnly = false
        for p in parameters.namedChildren {
            switch p.type {
            case "comment", "positional_separator":
                continue
            case "keyword_separator":
                keywordOnly = true
            case "list_splat_pattern", "dictionary_splat_pattern":
                guard let name = p.namedChildren.first(where: { $0.type == "identifier" })?.text else { continue }
                result.append(FunctionParameter(name: name, kind: p.type == "list_splat_pattern" ? .variadic : .variadicKeywords))
                if p.type == "list_splat_pattern" { keywordOnly = true }
            case "identifier":
                result.append(FunctionParameter(name: p.text, kind: keywordOnly ? .keywordOnly : .positional))
            default:
                guard let name = (p.child(byField: "name") ?? p.namedChildren.first { $0.type == "identifier" })?.text else { continue }
                result.append(FunctionParameter(name: name, kind: keywordOnly ? .keywordOnly : .positional))
            }
        }
        return result
    }
}
