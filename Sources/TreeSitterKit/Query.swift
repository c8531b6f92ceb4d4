import CTreeSitter
import Foundation

/// A compiled tree-sitter query with its text predicates. Compile once and share: a `Query` is immutable.
public final class Query: @unchecked Sendable {
    let raw: OpaquePointer
    public let language: Language
    /// Capture names, indexed by capture id.
    public let captureNames: [String]
    /// Text predicates per pattern, evaluated by `QueryCursor` (the C runtime does not evaluate them).
    let predicates: [[TextPredicate]]
    /// Predicates this wrapper does not evaluate itself (e.g. `#set!` or project-specific ones), per pattern.
    public let otherPredicates: [[GeneralPredicate]]

    /// Compiles `source` for `language`, reporting the error kind and byte offset on failure.
    public init(language: Language, source: String) throws {
        self.language = language
        var errorOffset: UInt32 = 0
        var errorType = TSQueryErrorNone
        let query = source.withCString {
            ts_query_new(language.pointer, $0, UInt32(source.utf8.count), &errorOffset, &errorType)
        }
        guard let query else {
            let offset = Int(errorOffset)
            let bytes = Array(source.utf8)
            let lo = min(offset, bytes.count)
            let context = String(decoding: bytes[lo..<min(bytes.count, lo + 40)], as: UTF8.self)
            throw TreeSitterError.queryCompile(kind: QueryErrorKind(errorType), offset: offset, context: context)
        }
        self.raw = query
        var names: [String] = []
        for id in 0..<ts_query_capture_count(query) {
            var length: UInt32 = 0
            let ptr = ts_query_capture_name_for_id(query, id, &length)!
            names.append(Query.string(ptr, length))
        }
        self.captureNames = names
        var text: [[TextPredicate]] = []
        var other: [[GeneralPredicate]] = []
        do {
            for pattern in 0..<ts_query_pattern_count(query) {
                let parsed = try Query.parsePredicates(query, pattern: pattern)
                text.append(parsed.text)
                other.append(parsed.other)
            }
        } catch {
            ts_query_delete(query)
            throw error
        }
        self.predicates = text
        self.otherPredicates = other
    }

    deinit { ts_query_delete(raw) }

    public var patternCount: Int { Int(ts_query_pattern_count(raw)) }

    public func captureIndex(named name: String) -> Int? { captureNames.firstIndex(of: name) }

    /// Byte offset in the query source where pattern `index` starts.
    public func startByte(ofPattern index: Int) -> Int { Int(ts_query_start_byte_for_pattern(raw, UInt32(index))) }

    static func string(_ ptr: UnsafePointer<CChar>, _ length: UInt32) -> String {
        ptr.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
        }
    }

    private static func parsePredicates(_ query: OpaquePointer, pattern: UInt32) throws
        -> (text: [TextPredicate], other: [GeneralPredicate])
    {
        var count: UInt32 = 0
        guard let steps = ts_query_predicates_for_pattern(query, pattern, &count), count > 0 else { return ([], []) }
        var text: [TextPredicate] = [], other: [GeneralPredicate] = []
        var current: [PredicateArgument] = []
        for i in 0..<Int(count) {
            let step = steps[i]
            switch step.type {
            case TSQueryPredicateStepTypeCapture:
                current.append(.capture(Int(step.value_id)))
            case TSQueryPredicateStepTypeString:
                var length: UInt32 = 0
                let ptr = ts_query_string_value_for_id(query, step.value_id, &length)!
                current.append(.string(string(ptr, length)))
            default: // Done: one predicate complete
                guard case let .string(name)? = current.first else {
                    throw TreeSitterError.invalidPredicate("a predicate must start with its name")
                }
                let args = Array(current.dropFirst())
                if let predicate = try TextPredicate(name: name, arguments: args) {
                    text.append(predicate)
                } else {
                    other.append(GeneralPredicate(name: name, arguments: args))
                }
                current = []
            }
        }
        return (text, other)
    }
}

/// One argument of a query predicate: a capture (by id) or a string literal.
public enum PredicateArgument: Hashable, Sendable {
    case capture(Int)
    case string(String)
}

/// A predicate the wrapper leaves to its caller, with its arguments.
public struct GeneralPredicate: Hashable, Sendable {
    public let name: String
    public let arguments: [PredicateArgument]
}

extension QueryErrorKind {
    init(_ error: TSQueryError) {
        switch error {
        case TSQueryErrorSyntax: self = .syntax
        case TSQueryErrorNodeType: self = .nodeType
        case TSQueryErrorField: self = .field
        case TSQueryErrorCapture: self = .capture
        case TSQueryErrorStructure: self = .structure
        case TSQueryErrorLanguage: self = .language
        default: self = .unknown
        }
    }
}
