import SourceModel

/// A change to one entity (class, function, method, hyperparameter assignment, decorator, import) as a
/// reader would describe it.
public struct EntityChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case added, removed, renamed, moved, modified
    }

    /// The main kind; `also` lists the others that apply (a method can be renamed, moved and modified).
    public var kind: Kind
    public var also: [Kind]
    public var entityKind: EntityInfo.Kind
    /// Qualified name in the new file (in the old one for removals).
    public var name: String
    /// Qualified name in the old file when it differs (renames, moves between classes).
    public var oldName: String?
    public var oldRange: SourceRange?
    public var newRange: SourceRange?
    public var details: [ChangeDetail]

    public var kinds: [Kind] { [kind] + also }
}

/// One salient difference inside a modified entity.
public struct ChangeDetail: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The function a call calls is another one (`F.gelu` -> `F.relu`).
        case callTargetReplaced = "call_target_replaced"
        case argumentAdded = "argument_added"
        case argumentRemoved = "argument_removed"
        /// A literal changed value (`0.0015` -> `0.0018`).
        case constantChanged = "constant_changed"
        /// A hyperparameter assignment now has another value (its whole right-hand side, old and new).
        case valueChanged = "value_changed"
        /// A name is consistently another name (`count` occurrences).
        case identifierRenamed = "identifier_renamed"
        case operatorChanged = "operator_changed"
        case statementAdded = "statement_added"
        case statementRemoved = "statement_removed"
        case statementMoved = "statement_moved"
        /// Several edits inside one statement, shown as the statement before and after.
        case statementChanged = "statement_changed"
        /// An expression moved (arguments reordered, an operand moved into another expression).
        case codeMoved = "code_moved"
        /// An expression replaced by a different one at the same place.
        case expressionReplaced = "expression_replaced"
        /// The entity was rewritten beyond recognition: its old and new text.
        case rewritten
        case codeAdded = "code_added"
        case codeRemoved = "code_removed"
    }

    public var kind: Kind
    public var old: String?
    public var new: String?
    /// How many occurrences this detail stands for (renames, repeated constants).
    public var count: Int
    public var oldRange: SourceRange?
    public var newRange: SourceRange?

    public init(kind: Kind, old: String? = nil, new: String? = nil, count: Int = 1,
                oldRange: SourceRange? = nil, newRange: SourceRange? = nil) {
        self.kind = kind
        self.old = old
        self.new = new
        self.count = count
        self.oldRange = oldRange
        self.newRange = newRange
    }
}
