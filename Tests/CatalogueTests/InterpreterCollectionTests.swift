import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Sets, and sequences a module builds by steps, as the interpreter computes them; and a constructor's parameter read
/// through a subclass's constructions.
@Suite("Interpreter collections")
struct InterpreterCollectionTests {
    static let script = """
    CONFIG = dict(depth=4, attention_free_blocks=[2])
    def default(val, d):
        return val if val is not None else d
    layer_types = ()
    for block_idx in range(CONFIG['depth']):
        layer_types += ('f',) if block_idx in CONFIG['attention_free_blocks'] else ('a', 'f')
    grown = layer_types
    defaulted = tuple(default(layer_types, ('a', 'f') * 3))
    skipped = {7, 3, 7}
    empty = set()
    distinct = set([2, 1, 2])
    kinds = []
    for i in range(3):
        if i not in skipped:
            kinds.append("attn")
        kinds.append("mlp")
    appended = kinds

    class Stack:
        def __init__(self, dim, kinds):
            self.kinds = tuple(kinds)
            walked = self.kinds

    class Decoder(Stack):
        pass

    class Causal(Stack):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

    a = Decoder(8, kinds)
    """

    static func value(_ name: String, in script: String = script) throws -> ScriptValue? {
        let facts = try PythonFacts(file: SourceFile(path: "collections.py", language: .python, bytes: Array(script.utf8)))
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return ScriptInterpreter(facts).value(of: try #require(assignment.child(byField: "right")), env: [:])
    }

    static func strings(_ codes: String) -> ScriptValue { .tuple(codes.map { .string(String($0)) }) }

    @Test("a tuple grown by += in a loop at module level is what the loop leaves")
    func grownTuple() throws {
        #expect(try Self.value("grown") == Self.strings("afaffaf"))
        #expect(try Self.value("defaulted") == Self.strings("afaffaf"))
    }

    @Test("a set display and set() give their distinct items, numbers ascending")
    func sets() throws {
        #expect(try Self.value("skipped") == .tuple([.number(3), .number(7)]))
        #expect(try Self.value("empty") == .tuple([]))
        #expect(try Self.value("distinct") == .tuple([.number(1), .number(2)]))
    }

    @Test("a list appended to under a test of set membership")
    func appendedUnderMembership() throws {
        #expect(try Self.value("appended") == .tuple(["attn", "mlp", "attn", "mlp", "attn", "mlp"].map { .string($0) }))
    }

    @Test("a field read where it is set is the constructor's argument, given through a subclass that inherits the constructor")
    func fieldThroughSubclass() throws {
        #expect(try Self.value("walked") == .tuple(["attn", "mlp", "attn", "mlp", "attn", "mlp"].map { .string($0) }))
    }

    @Test("a constructor's parameter is given by a subclass's super().__init__(**kwargs) and that subclass's constructions")
    func parameterThroughSuperKeywords() throws {
        let script = """
        class Stack:
            def __init__(self, dim, kinds=None):
                self.kinds = tuple(kinds)
                walked = self.kinds

        class Causal(Stack):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        class Explicit(Stack):
            def __init__(self, dim):
                Stack.__init__(self, dim, ("a",))

        m = Causal(dim=8, kinds=("a", "f"))
        """
        let facts = try PythonFacts(file: SourceFile(path: "super.py", language: .python, bytes: Array(script.utf8)))
        let initializer = try #require(facts.functions.first { $0.name == "__init__" })
        let calls = facts.initializerCalls(of: initializer)
        // `Causal(...)` runs Causal's own constructor, which hands its keywords on through `super().__init__`.
        #expect(calls.map { facts.compact($0.call.node) } == ["super().__init__(**kwargs)", "Stack.__init__(self,dim,(\"a\",))"])
        #expect(calls.map(\.leading) == [0, 1])
        let parameter = try #require(facts.nodes(ofType: "identifier").first { $0.text == "kinds" && $0.parent?.type == "argument_list" })
        #expect(Set(facts.callerBindings(of: parameter).map { facts.compact($0.argument) }) == ["(\"a\",)", "(\"a\",\"f\")"])
    }
}
