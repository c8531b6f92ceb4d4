import SourceModel
import TreeSitterKit

/// One pass over a tree: counts nodes, collects syntax errors (outermost `ERROR` nodes and `MISSING` tokens),
/// and measures bracket nesting against the language's own limit. Iterative, so any depth is safe.
public struct SyntaxScan {
    public private(set) var nodeCount = 0
    public private(set) var problems: [SyntaxProblem] = []
    public private(set) var maxBracketDepth = 0

    /// The nesting real toolchains accept: CPython's tokenizer stops at 200 open brackets, clang at 256.
    static func bracketLimit(_ language: SourceLanguage) -> Int {
        switch language {
        case .python: 200
        case .cuda: 256
        }
    }

    /// At most this many problems are listed; the rest are summarised in one more entry.
    static let problemLimit = 100

    public init(root: Node, language: SourceLanguage, lines: LineIndex, embeddedSource: Int? = nil,
         map: ((Range<Int>) -> SourceRange)? = nil) {
        let toRange = map ?? { lines.range($0) }
        let iterator = root.preorder.withDepth.makeIterator()
        var errorDepth: Int?
        var depth = 0
        var deepest: Node?
        var omitted = 0
        func add(_ message: String, _ node: Node) {
            if problems.count < SyntaxScan.problemLimit {
                problems.append(SyntaxProblem(message: message, range: toRange(node.byteRange),
                                              embeddedSource: embeddedSource))
            } else {
                omitted += 1
            }
        }
        while let node = iterator.next() {
            nodeCount += 1
            let level = iterator.currentDepth
            if let d = errorDepth, level <= d { errorDepth = nil }
            if errorDepth == nil {
                if node.isError {
                    let snippet = node.text.prefix(40).replacingOccurrences(of: "\n", with: "⏎")
                    add("syntax error: unexpected `\(snippet)`", node)
                    errorDepth = level
                } else if node.isMissing {
                    add("syntax error: missing `\(node.type)`", node)
                }
            }
            if node.childCount == 0 && !node.isMissing {
                switch node.type {
                case "(", "[", "{":
                    depth += 1
                    if depth > maxBracketDepth {
                        maxBracketDepth = depth
                        deepest = node
                    }
                case ")", "]", "}":
                    depth = max(0, depth - 1)
                default: break
                }
            }
        }
        let limit = SyntaxScan.bracketLimit(language)
        if maxBracketDepth > limit, let deepest {
            let toolchain = language == .python ? "Python" : "clang"
            problems.insert(SyntaxProblem(
                message: "too many nested brackets: \(maxBracketDepth) levels, \(toolchain) accepts at most \(limit)",
                range: toRange(deepest.byteRange), embeddedSource: embeddedSource), at: 0)
        }
        if omitted > 0, let last = problems.last {
            problems.append(SyntaxProblem(message: "\(omitted) more syntax errors not listed", range: last.range,
                                          embeddedSource: embeddedSource))
        }
    }
}

import Foundation
