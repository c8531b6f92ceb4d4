/// Decides whether one innovation is present in a Python file, and where.
///
/// A detector recognizes the idea, not one spelling of it: it reads the file through `PythonFacts` (calls
/// with resolved names, settings and their values, the normalized tree) and, when a tree-sitter query is the
/// clearest way to find candidates, its query file `queries/python/<id>/detector.scm`. Its examples live in
/// `queries/python/<id>/examples/` (`pos_*.py` must be detected, `neg_*.py` must not) and are run as tests.
public protocol Detector: Sendable {
    /// The innovation id, exactly as in `Tasks/innovations.json`.
    var id: String { get }
    /// Evidence that the innovation is present; empty when it is not.
    func detect(_ facts: PythonFacts) -> [Evidence]
}
