import SourceModel
import TreeSitterKit

/// Language data that turns a tree-sitter tree into a `SyntaxTree`. The lowering algorithm is the same for
/// every language; only these tables differ.
public struct LoweringRules: Sendable {
    /// Named node types that become one leaf whose label is their (normalized) text.
    public var atoms: Set<String>
    /// Named node types dropped with everything below them (comments).
    public var dropped: Set<String>
    /// Anonymous tokens that carry meaning (operators, qualifiers): they become the label of their parent.
    public var labelTokens: Set<String>
    /// Wrapper node types whose `field` child is lowered in their place, with the wrapper's other children
    /// (e.g. decorators) prepended to it.
    public var wrappers: [String: String]
    /// Node types with one named child that stand for that child (parentheses: the tree already encodes
    /// precedence, so `(a + b)` and `a + b` are the same expression).
    public var transparent: Set<String>
    /// How an entity node is named, by node type.
    public var entities: [String: EntityRule]

    public struct EntityRule: Sendable {
        public var kind: EntityInfo.Kind
        /// Returns the entity's name, or nil when this node is not an entity after all (e.g. an assignment
        /// inside a function body).
        public var name: @Sendable (Node, EntityContext) -> String?
    }

    /// Where a candidate entity sits.
    public struct EntityContext: Sendable {
        /// Kind of the nearest enclosing entity (`.module` at top level).
        public var enclosing: EntityInfo.Kind
        /// True when every ancestor up to the module or class body is a `settingContainers` node: the place
        /// where a script sets its hyperparameters (not inside a loop or a function body).
        public var settingPosition: Bool
    }


    /// Normalizes an atom's label (decoded strings, canonical numbers).
    public var atomLabel: @Sendable (Node) -> String

    /// What the lowered kinds mean, for language-neutral readers of the tree.
    public var roles: SyntaxRoles

    /// Node types through which an assignment still counts as a setting (statements, conditionals, blocks).
    public var settingContainers: Set<String> = []

    /// Node types lowered under another kind because they are variants of one construct (a parameter with a
    /// default, a type, or both): an edit that adds a type annotation then updates a node instead of replacing it.
    public var kindAliases: [String: String] = [:]
}
