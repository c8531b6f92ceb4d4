import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// What names are bound to (`Dataflow`), for assignments whose targets are patterns.
@Suite("Dataflow bindings")
struct DataflowBindingTests {
    @Test("pairs unpacked from a comprehension over as many distinct items: each name bound to the element")
    func comprehensionUnpackedIntoPairs() throws {
        let source = """
        (pn, pi), (fn, fi) = (order(m) for m in (partial, full))
        (an, ai), (bn, bi) = [order(m) for m in (edge, edge)]
        use(pn, pi, fn, fi, an, ai, bn, bi)
        """
        let facts = try PythonFacts(file: SourceFile(path: "t.py", language: .python, bytes: Array(source.utf8)))
        let use = try #require(facts.calls.first { $0.name == "use" })
        func bound(_ index: Int) -> [String] {
            facts.dataflow.bindings(ofReference: use.positional[index]).map { facts.compact($0.node) }
        }
        for index in 0..<4 { #expect(bound(index) == ["order(m)"], "name \(index)") }
        // The same item twice: the pairs could not be told apart, so nothing is bound to the element.
        for index in 4..<8 { #expect(!bound(index).contains("order(m)"), "name \(index)") }
    }
}
