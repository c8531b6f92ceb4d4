import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Functions wrapped by the file's own decorators, run by the interpreter through their wrappers
/// (`InterpreterDecorators.swift`).
@Suite("Interpreter decorators")
struct InterpreterDecoratorTests {
    static let script = """
    import functools
    def ramped(total, ramp):
        def decorate(fn):
            @functools.wraps(fn)
            def wrapped(step):
                if step < ramp:
                    return fn(step) * (step + 1) / ramp
                return fn(step) * (total - step) / total
            return wrapped
        return decorate
    def doubled(fn):
        def inner(*args, **kwargs):
            return 2 * fn(*args, **kwargs)
        return inner
    def offset(by=1.0):
        def decorate(fn):
            def shifted(x):
                return fn(x + by)
            return shifted
        return decorate
    @ramped(total=100, ramp=10)
    def flat(step):
        return 1.0
    @doubled
    @offset(by=5)
    def identity(x):
        return x
    def plain(x):
        return x
    early = flat(4)
    late = flat(50)
    stacked = identity(1)
    untouched = plain(1)
    """

    static func value(_ name: String) throws -> Double? {
        let facts = try PythonFacts(file: SourceFile(path: "decorators.py", language: .python, bytes: Array(script.utf8)))
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return ScriptInterpreter(facts).value(of: try #require(assignment.child(byField: "right")), env: [:])?.number
    }

    @Test("a flat function under a decorator factory runs the wrapper, with the factory's arguments from the decorator line")
    func factoryArguments() throws {
        #expect(try Self.value("early") == 0.5, "in the ramp of 10 steps: (4 + 1) / 10")
        #expect(try Self.value("late") == 0.5, "after it: (100 - 50) / 100")
    }

    @Test("stacked decorators run outermost first, each calling the next one in; spread arguments are passed on")
    func stackedDecorators() throws {
        // doubled(offset(by=5)(identity)): 2 * identity(1 + 5); without the decorators it would be 1.
        #expect(try Self.value("stacked") == 12)
        #expect(try Self.value("untouched") == 1)
    }
}
