/// What some node kinds of a lowered tree mean, so language-neutral code (the diff summary, identifier
/// abstraction) can read a tree without knowing its language. Filled in by each language's lowering rules.
public struct SyntaxRoles: Sendable, Equatable {
    /// Kinds whose children are statements (a Python `block`, a C `compound_statement`, the module root).
    public var statementContainers: Set<String> = []
    /// Call expressions, and the child index of the called expression.
    public var calls: Set<String> = []
    public var calleeIndex = 0
    /// Argument lists of calls.
    public var argumentLists: Set<String> = []
    /// Literal atoms: numbers, strings, booleans, none.
    public var literals: Set<String> = []
    /// Name atoms (identifiers and resolved qualified names).
    public var names: Set<String> = []
    /// Parent kind -> index of a child that is a field or keyword name, not a reference to a variable
    /// (`x.weight`'s `weight`, `f(lr=1)`'s `lr`): identifier abstraction leaves these alone.
    public var memberNameChild: [String: Int] = [:]

    public init() {}

    public init(statementContainers: Set<String>, calls: Set<String>, calleeIndex: Int = 0,
                argumentLists: Set<String>, literals: Set<String>, names: Set<String>,
                memberNameChild: [String: Int]) {
        self.statementContainers = statementContainers
        self.calls = calls
        self.calleeIndex = calleeIndex
        self.argumentLists = argumentLists
        self.literals = literals
        self.names = names
        self.memberNameChild = memberNameChild
    }
}
