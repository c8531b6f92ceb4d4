/// One operation of an edit script that turns the source tree into the destination tree.
public enum EditAction: Sendable, Equatable {
    /// Destination node `node` is new, inserted as child `position` of destination node `parent`.
    case insert(node: Int, parent: Int, position: Int)
    /// Source node `node` has no counterpart.
    case delete(node: Int)
    /// Source node `node` keeps its place but its label changes.
    case update(node: Int, from: String, to: String)
    /// Source node `node` moves under destination node `parent`, at `position`.
    case move(node: Int, parent: Int, position: Int)

    public var name: String {
        switch self {
        case .insert: "insert"
        case .delete: "delete"
        case .update: "update"
        case .move: "move"
        }
    }
}
