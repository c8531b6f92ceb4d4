import Catalogue
import SourceModel
import Testing

/// The one reader of einops patterns (`EinopsPattern`) that head splits, unit axes, reductions, stacked blocks and
/// item counts are read through.
@Suite("einops patterns")
struct EinopsPatternTests {
    typealias Term = EinopsPattern.Term

    @Test("a pattern's two sides: axes, groups, the empty group, numbers and the ellipsis")
    func sides() throws {
        let split = try #require(EinopsPattern("b t (h d) -> b h t d"))
        #expect(split.input == [.axis("b"), .axis("t"), .group(["h", "d"])])
        #expect(split.output == [.axis("b"), .axis("h"), .axis("t"), .axis("d")])
        #expect(split.firstInputGroup == ["h", "d"])
        let unit = try #require(EinopsPattern("...  c->... ()"))
        #expect(unit.input == [.ellipsis, .axis("c")] && unit.output == [.ellipsis, .group([])])
        #expect(unit.output[1].isUnit && Term.axis("1").isUnit && !Term.axis("n").isUnit)
        #expect(try #require(EinopsPattern("(three h d) n -> three h d n")).input.first?.axes == ["three", "h", "d"])
        #expect(EinopsPattern("b t c -> b (h (d c))") == nil, "nested groups")
        #expect(EinopsPattern("b (t c -> b t c") == nil, "unbalanced")
        #expect(EinopsPattern("b t c") == nil && EinopsPattern("a -> b -> c") == nil, "one arrow")
        #expect(EinopsPattern("b (... c) -> b c") == nil, "an ellipsis inside a group")
    }

    @Test("a reduction over the last axis alone keeps the others in order")
    func lastAxisReductions() {
        let read = ["b h t c -> b h t 1", "... c -> ... ()", "b t d -> b t", "b h t c -> b 1 t c", "b t (h c) -> b t h",
                    "b t c -> t b", "b t ... -> b t"].map { EinopsPattern($0)?.reducesLastAxisOnly }
        #expect(read == [true, true, true, false, false, false, false])
    }

    @Test("the pattern of a call, written in place, by keyword or held by a constant")
    func patternOfACall() throws {
        let facts = try PythonFacts(file: SourceFile(path: "einops_calls.py", language: .python, bytes: Array("""
        import einops
        from einops import rearrange
        LIFT = "t c -> () t c"
        a = rearrange(x, "b t (h d) -> b h t d", d=128)
        b = einops.rearrange(x, pattern="t c -> 1 t c")
        c = rearrange(x, LIFT)
        d = rearrange(x, make_pattern())
        """.utf8)))
        let patterns = facts.calls.filter { $0.name == "rearrange" }.map { facts.einopsPattern($0) }
        #expect(patterns.count == 4)
        #expect(patterns[0]?.firstInputGroup == ["h", "d"])
        #expect(patterns[1]?.output.first == .axis("1"))
        #expect(patterns[2]?.output.first == .group([]))
        #expect(patterns[3] == nil)
    }
}
