import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// The interpreter's `str` methods: what Python gives for the string work configuration helpers do.
@Suite("Interpreter strings")
struct InterpreterStringTests {
    static let script = """
    joined = ",".join(["a", "b", "c"])
    parts = "a,,b".split(",")
    words = "  x  y ".split()
    prefixed = "expandable_segments:True".startswith(("max_", "expandable"))
    suffixed = "train.bin".endswith(".txt")
    cleaned = "  Mixed Case ".strip().lower()
    shouted = "bf16".upper()
    swapped = "lr-head".replace("-", "_")
    generated = "+".join(s.upper() for s in ["p", "q"])
    def merge(existing="", on=False):
        kept = [o for o in existing.split(",") if o and not o.startswith("expandable_segments")]
        kept.append(f"expandable_segments:{'True' if on else 'False'}")
        return ",".join(kept)
    merged = merge("max_split_size_mb:64,expandable_segments:False", on=True)
    unknown = ",".join(options_from_elsewhere)
    """

    static func value(_ name: String) throws -> ScriptValue? {
        let facts = try PythonFacts(file: SourceFile(path: "strings.py", language: .python, bytes: Array(script.utf8)))
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return ScriptInterpreter(facts).value(of: try #require(assignment.child(byField: "right")), env: [:])
    }

    @Test("join, split, startswith, endswith, strip, lower, upper and replace")
    func methods() throws {
        #expect(try Self.value("joined") == .string("a,b,c"))
        #expect(try Self.value("parts") == .tuple([.string("a"), .string(""), .string("b")]))
        #expect(try Self.value("words") == .tuple([.string("x"), .string("y")]))
        #expect(try Self.value("prefixed") == .number(1))
        #expect(try Self.value("suffixed") == .number(0))
        #expect(try Self.value("cleaned") == .string("mixed case"))
        #expect(try Self.value("shouted") == .string("BF16"))
        #expect(try Self.value("swapped") == .string("lr_head"))
        #expect(try Self.value("generated") == .string("P+Q"))
    }

    @Test("a helper that filters, appends and joins options runs to its text")
    func helper() throws {
        #expect(try Self.value("merged") == .string("max_split_size_mb:64,expandable_segments:True"))
    }

    @Test("a string method on something unknown has no value")
    func unknownOperand() throws {
        #expect(try Self.value("unknown") == nil)
    }
}
