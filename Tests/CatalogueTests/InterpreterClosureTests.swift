import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Function values the interpreter makes and calls: lambdas, `def`s a factory returns, lists of them.
@Suite("Interpreter closures")
struct InterpreterClosureTests {
    static let script = """
    def const(v):
        return lambda t: v
    def line(a, b, n):
        def at(t):
            return a + (b - a) * min(t / n, 1.0)
        return at
    def glue(parts, edges):
        def at(t):
            shift = 0
            for part, edge in zip(parts[:-1], edges):
                if t < edge:
                    return part(t - shift)
                shift = edge
            return parts[-1](t - shift)
        return at
    def late(k):
        def at(t):
            return t * scale
        scale = k * 2
        return at
    def defaults(w=3):
        return lambda t, u=4: t * w + u
    def wrap(rate):
        schedule = rate if callable(rate) else const(rate)
        def first():
            return schedule(0)
        return first
    first = line(1.0, 0.0, 20)(10)
    wrapped_function = wrap(lambda t: 2.0 + t)()
    wrapped_number = wrap(3.0)()
    direct = glue([const(2.0), line(0.0, 1.0, 10)], [10])(15)
    last_item = [const(1.0), line(1.0, 0.0, 20)][-1](10)
    sched = glue([line(0.0, 1.0, 10), const(1.0), line(1.0, 0.0, 20)], [10, 50])
    ramp_mid = sched(5)
    flat = sched(30)
    tail = sched(60)
    seen_late = late(5)(3)
    keyword = defaults()(2, u=1)
    with_default = defaults(w=2)(2)
    too_many = const(1.0)(1, 2)
    unknown = line(0.0, something_unknown, 10)(5)
    """

    static func value(_ name: String) throws -> ScriptValue? {
        let facts = try PythonFacts(file: SourceFile(path: "closures.py", language: .python, bytes: Array(script.utf8)))
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return ScriptInterpreter(facts).value(of: try #require(assignment.child(byField: "right")), env: [:])
    }

    /// `sched` is read as the closure `glue` returned for its own call, not as `glue`'s inner `at` with `glue`'s
    /// parameters read at the file's first call of it (`direct`).
    @Test("closures returned by factories are called with what they captured, also through a list and a name",
          arguments: [("first", 0.5), ("direct", 0.5), ("last_item", 0.5), ("ramp_mid", 0.5), ("flat", 1.0), ("tail", 0.5)])
    func joinedSchedules(name: String, expected: Double) throws {
        #expect(try Self.value(name) == .number(expected))
    }

    @Test("a returned def sees the names its function binds after it; keywords and defaults bind parameters")
    func bindings() throws {
        #expect(try Self.value("seen_late") == .number(30))
        #expect(try Self.value("keyword") == .number(7))
        #expect(try Self.value("with_default") == .number(8))
        #expect(try Self.value("wrapped_function") == .number(2), "callable() of a lambda")
        #expect(try Self.value("wrapped_number") == .number(3), "callable() of a number")
    }

    @Test("a call with too many arguments, or a closure over a parameter its factory could not compute, is unknown")
    func unknowns() throws {
        #expect(try Self.value("too_many") == nil)
        #expect(try Self.value("unknown") == nil)
    }
}
