import CClang

/// A libclang cursor: a node of the AST or of the preprocessing record. It keeps its translation unit alive.
public struct Cursor: @unchecked Sendable, Hashable, CustomStringConvertible {
    let raw: CXCursor
    public let unit: TranslationUnit

    init(raw: CXCursor, unit: TranslationUnit) {
        self.raw = raw
        self.unit = unit
    }

    public var kind: CXCursorKind { clang_getCursorKind(raw) }
    public var kindSpelling: String { String(consuming: clang_getCursorKindSpelling(kind)) }
    public var spelling: String { String(consuming: clang_getCursorSpelling(raw)) }
    public var displayName: String { String(consuming: clang_getCursorDisplayName(raw)) }
    public var usr: String { String(consuming: clang_getCursorUSR(raw)) }
    public var isNull: Bool { clang_Cursor_isNull(raw) != 0 }
    public var isDefinition: Bool { clang_isCursorDefinition(raw) != 0 }
    public var isDeclaration: Bool { clang_isDeclaration(kind) != 0 }
    public var isExpression: Bool { clang_isExpression(kind) != 0 }
    public var extent: SourceSpan { SourceSpan(clang_getCursorExtent(raw)) }
    public var location: SourceSpan { SourceSpan(clang_getRange(clang_getCursorLocation(raw), clang_getCursorLocation(raw))) }
    public var isInSystemHeader: Bool { clang_Location_isInSystemHeader(clang_getCursorLocation(raw)) != 0 }
    public var isFromMainFile: Bool { clang_Location_isFromMainFile(clang_getCursorLocation(raw)) != 0 }

    /// Spelling of the cursor's type (after `typedef`s, use `canonicalTypeSpelling`).
    public var typeSpelling: String { String(consuming: clang_getTypeSpelling(clang_getCursorType(raw))) }
    public var canonicalTypeSpelling: String {
        String(consuming: clang_getTypeSpelling(clang_getCanonicalType(clang_getCursorType(raw))))
    }
    public var resultTypeSpelling: String { String(consuming: clang_getTypeSpelling(clang_getCursorResultType(raw))) }

    private func wrap(_ c: CXCursor) -> Cursor? {
        clang_Cursor_isNull(c) != 0 || clang_isInvalid(clang_getCursorKind(c)) != 0 ? nil : Cursor(raw: c, unit: unit)
    }

    /// The declaration a reference or call refers to.
    public var referenced: Cursor? { wrap(clang_getCursorReferenced(raw)) }
    public var definition: Cursor? { wrap(clang_getCursorDefinition(raw)) }
    public var canonical: Cursor? { wrap(clang_getCanonicalCursor(raw)) }
    public var semanticParent: Cursor? { wrap(clang_getCursorSemanticParent(raw)) }
    /// For a template specialization or instantiation, the template it came from.
    public var specializedTemplate: Cursor? { wrap(clang_getSpecializedCursorTemplate(raw)) }

    /// Call arguments (for call expressions) or function parameters (for function declarations).
    public var arguments: [Cursor] {
        let n = clang_Cursor_getNumArguments(raw)
        guard n > 0 else { return [] }
        return (0..<UInt32(n)).compactMap { wrap(clang_Cursor_getArgument(raw, $0)) }
    }

    /// Direct children.
    public var children: [Cursor] {
        final class Box { var items: [CXCursor] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            _ = clang_visitChildren(raw, { child, _, data in
                Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue().items.append(child)
                return CXChildVisit_Continue
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.items.map { Cursor(raw: $0, unit: unit) }
    }

    /// Visits every descendant in pre-order. The visitor returns false to skip a node's children.
    public func walk(_ visitor: (Cursor) -> Bool) {
        // An explicit stack: AST depth follows the input, so no recursion on our side.
        var stack = children.reversed() as [Cursor]
        while let next = stack.popLast() {
            if visitor(next) { stack.append(contentsOf: next.children.reversed()) }
        }
    }

    /// The qualified name, e.g. `cooperative_groups::tiled_partition`.
    public var qualifiedName: String {
        var parts = [spelling]
        var parent = semanticParent
        while let p = parent, p.kind != CXCursor_TranslationUnit {
            if !p.spelling.isEmpty { parts.append(p.spelling) }
            parent = p.semanticParent
        }
        return parts.reversed().joined(separator: "::")
    }

    /// True when a child attribute cursor of `kind` is attached (e.g. `CXCursor_CUDAGlobalAttr`).
    public func hasAttribute(_ attribute: CXCursorKind) -> Bool {
        children.contains { $0.kind == attribute }
    }

    public var description: String { "\(kindSpelling) \(spelling) @\(location)" }

    public static func == (a: Cursor, b: Cursor) -> Bool { clang_equalCursors(a.raw, b.raw) != 0 }
    public func hash(into hasher: inout Hasher) { hasher.combine(clang_hashCursor(raw)) }
}
