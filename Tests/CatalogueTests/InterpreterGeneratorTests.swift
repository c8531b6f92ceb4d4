import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Generator functions run by the interpreter: a run gives the list of what it yields.
@Suite("Interpreter generators")
struct InterpreterGeneratorTests {
    static let script = """
    def layout(n, k):
        for i in range(n):
            if i < k:
                yield i
            elif i >= n - k:
                yield i - (n - k)
            else:
                yield None
    def chained():
        yield 1
        yield from [2, 3]
        yield
    def endless():
        while True:
            yield 1
    def opaque(xs):
        for x in range(3):
            yield something_unknown(x)
    ends = list(layout(6, 2))
    doubled = [2 * j for j in layout(4, 2)]
    chain = list(chained())
    forever = list(endless())
    unknown = list(opaque(3))
    """

    static func value(_ name: String) throws -> ScriptValue? {
        let facts = try PythonFacts(file: SourceFile(path: "generators.py", language: .python, bytes: Array(script.utf8)))
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return ScriptInterpreter(facts).value(of: try #require(assignment.child(byField: "right")), env: [:])
    }

    @Test("a generator's run is the list of what it yields, None included")
    func yieldsInOrder() throws {
        #expect(try Self.value("ends") == .tuple([.number(0), .number(1), .none, .none, .number(0), .number(1)]))
        #expect(try Self.value("doubled") == .tuple([.number(0), .number(2), .number(0), .number(2)]))
    }

    @Test("yield from gives each item; a bare yield gives None")
    func yieldFrom() throws {
        #expect(try Self.value("chain") == .tuple([.number(1), .number(2), .number(3), .none]))
    }

    @Test("an endless generator or one yielding what the run cannot compute has no value")
    func unknownRuns() throws {
        #expect(try Self.value("forever") == nil)
        #expect(try Self.value("unknown") == nil)
    }
}
