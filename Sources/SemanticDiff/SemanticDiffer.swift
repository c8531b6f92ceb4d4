import SourceModel

/// The result of diffing two trees: the mapping, the raw edit script, and the entity-level summary.
public struct SemanticDiffResult: Sendable {
    public let old: DiffSide
    public let new: DiffSide
    public let mapping: Mapping
    public let actions: [EditAction]
    public let changes: [EntityChange]
    /// Where matching fell back to a coarser strategy to stay within bounds, and anything else the reader
    /// should know (syntax errors the parser recovered from).
    public internal(set) var notes: [String]

    /// Adds a note (front ends add what they know about the inputs).
    public mutating func note(_ text: String) { notes.append(text) }
}

/// Matches two sides with GumTree, derives the edit script and summarizes it.
public enum SemanticDiffer {
    public static func diff(_ old: DiffSide, _ new: DiffSide, options: MatcherOptions = MatcherOptions()) -> SemanticDiffResult {
        let matcher = GumTreeMatcher.match(old.tree, new.tree, options: options)
        let actions = EditScriptGenerator.generate(matcher)
        let changes = ChangeSummarizer.summarize(old: old, new: new, mapping: matcher.mapping, actions: actions)
        return SemanticDiffResult(old: old, new: new, mapping: matcher.mapping, actions: actions, changes: changes,
                                  notes: matcher.notes)
    }
}
