import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Keyword options routed to sublayers by a helper that splits a dictionary by key prefix (x-transformers'
/// `groupby_prefix_and_trim`), and a literal that spreads a routed name into itself again.
@Suite("Prefix-splitting helpers")
struct PrefixSplitTests {
    static let script = """
    def key_matches(start, key):
        return key.startswith(start)
    def split_trim(start, options):
        picked, rest = {}, {}
        for key, value in options.items():
            (picked if key_matches(start, key) else rest)[key] = value
        trimmed = dict(map(lambda kv: (kv[0][len(start):], kv[1]), tuple(picked.items())))
        return trimmed, rest
    def split_keep(start, options):
        picked = {k: v for k, v in options.items() if k.startswith(start)}
        rest = {k: v for k, v in options.items() if not k.startswith(start)}
        return picked, rest
    class Attn:
        def __init__(self, width, norm_qk=False, dropout=0.1, gate=False):
            pass
    class Stack:
        def __init__(self, width, **kwargs):
            attn_kwargs, kwargs = split_trim("attn_", kwargs)
            attn_kwargs = {"dropout": 0.0, **attn_kwargs}
            self.attn = Attn(width, **attn_kwargs)
            kept, others = split_keep("attn_", kwargs)
            self.other = Attn(width, **others)
    stack = Stack(768, attn_norm_qk=True, gate=True)
    """

    static func call(_ facts: PythonFacts, _ text: String) throws -> CallSite {
        try #require(facts.calls.first { $0.node.text == text })
    }

    static func values(_ forwarded: PythonFacts.ForwardedKeyword) -> [String]? {
        guard case let .known(values, _) = forwarded else { return nil }
        return values.map(\.value.text)
    }

    @Test("the prefixed option reaches the routed call trimmed, through a literal that spreads the routed name into itself")
    func routedAndTrimmed() throws {
        let facts = try ConfiguredProgramTests.facts(Self.script)
        let attention = try Self.call(facts, "Attn(width, **attn_kwargs)")
        #expect(Self.values(facts.forwardedKeyword("norm_qk", through: attention)) == ["True"])
        // The literal's own entry, never overridden by the routed options here.
        #expect(Self.values(facts.forwardedKeyword("dropout", through: attention)) == ["0.0"])
        // An option without the prefix stays in the rest.
        #expect(Self.values(facts.forwardedKeyword("gate", through: attention)) == [])
    }

    @Test("the rest of a split holds the options without the prefix, and a helper that keeps the prefix is no trimming route")
    func restAndUntrimmed() throws {
        let facts = try ConfiguredProgramTests.facts(Self.script)
        let other = try Self.call(facts, "Attn(width, **others)")
        // `split_keep` cuts nothing off its keys: it is not read as a route, so what it passes is unknown.
        if case .known = facts.forwardedKeyword("gate", through: other) {
            Issue.record("a helper that keeps the prefix on its keys was read as a trimming route")
        }
    }
}
