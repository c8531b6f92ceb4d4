import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Functions that call themselves. Evaluating a call of a file function runs its statements, and those run the calls
/// they hold: a function that calls itself without end must give "not known", not take the stack or the clock
/// (a stack overflow cannot be caught and would end the daemon). Found by mutating agent submissions at random
/// (`if it: return get_lr(it)` added to a schedule).
@Suite("Self-calling code")
struct SelfCallingCodeTests {
    static func facts(_ script: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "self_calling.py", language: .python, bytes: Array(script.utf8)))
    }

    /// The right side of `probe = ...`.
    static func probe(_ facts: PythonFacts) throws -> Node {
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == "probe" })
        return try #require(assignment.child(byField: "right"))
    }

    static let schedule = """
    import torch
    model = torch.nn.Linear(4, 4)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    def get_lr(it):
        if it:
            return get_lr(it)
        return 1.0
    sched = torch.optim.lr_scheduler.LambdaLR(opt, get_lr)
    for step in range(100):
        opt.step()
        sched.step()
    probe = get_lr(5)
    """

    @Test("a function calling itself with the same argument is read, and sampled as a schedule, without overflowing")
    func endless() throws {
        let facts = try Self.facts(Self.schedule)
        // The branch that calls itself is given up on at the bound; a call whose statements cannot be run to an end is
        // read by its last `return`, as for any function with several exits.
        #expect(facts.evaluate(try Self.probe(facts)) == 1.0)
        // The path that overflowed: the schedule sampled over the run.
        let curves = facts.scheduleCurves
        #expect(curves.count == 1)
        #expect(curves.first?.varies == false)
    }

    static func halving(_ argument: Int) -> String {
        """
        def halving(n):
            if n > 0:
                return 0.5 * (halving(n - 1) + halving(n - 1))
            return 1.0
        probe = halving(\(argument))
        """
    }

    @Test("a function calling itself twice per call: known a few calls deep, not known (and soon) far deeper")
    func branching() throws {
        // 2^4 calls: within the bounds, and the value is Python's.
        let shallow = try Self.facts(Self.halving(4))
        #expect(shallow.evaluate(try Self.probe(shallow)) == 1.0)
        // 2^5000 calls: stopped by the bound on steps.
        let deep = try Self.facts(Self.halving(5000))
        #expect(deep.evaluate(try Self.probe(deep)) == nil)
    }

    @Test("a module whose forward runs a module of its own class is no activation, and reading it ends")
    func moduleOfItsOwnClass() throws {
        let facts = try Self.facts("""
        import torch.nn as nn
        class Loop(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = Loop()
            def forward(self, x):
                return self.inner(x)
        class MLP(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.c_fc = nn.Linear(d, 4 * d, bias=False)
                self.c_proj = nn.Linear(4 * d, d, bias=False)
                self.act = Loop()
            def forward(self, x):
                return self.c_proj(self.act(self.c_fc(x)))
        """)
        // The zero-init reading asked whether `Loop` applies an activation, which asked it again through `self.inner`.
        #expect(Classifier.classify([facts]).map(\.id).isEmpty)
    }
    @Test("a parameter whose callers pass a field of an object its own callers pass: following origins ends")
    func originsThroughTheirOwnCallers() throws {
        // A statement between a class line and its method (the class has no body; tree-sitter recovers the method as a
        // function of its own) made `width` follow `cfg.width`, whose holder `cfg` is a parameter passed on by callers
        // of any `__init__`, `super().__init__(a, b)` among them, and so back to `width`: each hop bounded its depth,
        // but the holder's origins were asked anew, nesting without end (found by the mutation fuzz on an Ignite-style
        // submission).
        let facts = try Self.facts("""
        import torch.nn as nn
        class Proj(nn.Linear):
            def __init__(self, a, b):
                super().__init__(a, b, bias=False)
        class Feed(nn.Module):
            def __init__(self, width):
                self.up = Proj(width, 4 * width)
                self.down = Proj(4 * width, width)
        class Layer(nn.Module):
            def __init__(self, cfg, index):
                self.feed = Feed(cfg.width)
        stray = holder['slot']
            def __init__(self, cfg):
                self.layers = nn.ModuleList([Layer(cfg, i) for i in range(cfg.depth)])
        """)
        #expect(Classifier.classify([facts]).map(\.id).isEmpty)
        // Every read of `width` in `Feed` ends with what the caller passes.
        let reads = facts.nodes(ofType: "identifier").filter { $0.text == "width" && $0.parent?.type == "argument_list" }
        #expect(reads.count == 2)
        for read in reads {
            #expect(facts.origins(of: read).map(\.text) == ["cfg.width"])
        }
    }
    @Test("a layer whose forward returns a call of itself, read as a shape helper of the values: following it ends")
    func forwardReturningItself() throws {
        // The value mix asks what a value tensor is reshaped from: `heads(self.c_v(x))` runs `Lin.forward`, whose
        // `return forward(self, x)` runs it again (found by the mutation fuzz on an einops-style submission).
        let facts = try Self.facts("""
        from torch.nn.attention.flex_attention import flex_attention
        import torch.nn as nn

        class Lin(nn.Linear):
            def forward(self, x):
                if self: return forward(self, x)
                return super().forward(x)

        def heads(t):
            return t.unflatten(-1, (6, -1))

        class Attn(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.c_v = Lin(d, d)

            def forward(self, x, q, k, mask):
                v = heads(self.c_v(x))
                return flex_attention(q, k, v, block_mask=mask)
        """)
        #expect(Classifier.classify([facts]).map(\.id).isEmpty)
    }

    @Test("a table copied into its own name and spread into a helper: reading it ends, each table once")
    func tableCopiedIntoItsOwnName() throws {
        // `spec = dict(spec)` makes each setting of `spec` a view of `spec`, and a helper whose parameters the spread
        // fills asks again through its callers (the shape of the slowest agent fixture, task10_unet_b46). A chain of
        // copies of a literal table still reads the literal's entries.
        let facts = try Self.facts("""
        import torch

        RECIPE = {"head": {"kind": "adam", "lr": 0.008}, "body": {"kind": "sgd", "lr": 0.04}}

        def rescale(recipe, factor):
            out = {}
            for key, spec in recipe.items():
                spec = dict(spec)
                spec["lr"] = spec["lr"] * factor
                out[key] = spec
            return out

        RECIPE = rescale(RECIPE, 2.0)

        def build(kind, params, lr):
            probe = lr
            return torch.optim.Adam(params, lr=lr)

        for key, spec in RECIPE.items():
            spec = dict(spec)
            opt = build(params=[], **spec)

        EMBED = {"kind": "adam", "lr": 0.6}
        embed = dict(EMBED)
        embed = dict(embed)
        embed_opt = build(params=[], **embed)
        """)
        let lr = try #require(facts.nodes(ofType: "identifier").first { $0.text == "lr" && $0.parent?.type == "assignment" })
        // The loop's copies hold nothing written out; the chain of copies holds the literal's entry.
        #expect(facts.callerArguments(of: lr).map(\.text) == ["0.6"])
        let copies = facts.nodes(ofType: "call").filter { $0.text == "dict(spec)" }
        #expect(copies.count == 2)
        // Each copy denotes the two copies of the name (neither can be read further), each once.
        for copy in copies { #expect(facts.dictionaries(copy).sorted { $0.startByte < $1.startByte } == copies) }
        // The chain's copy denotes the literal first (a reader takes the first table holding its key), then the copies
        // where the chain is cut, each once.
        let chained = try #require(facts.nodes(ofType: "call").first { $0.text == "dict(embed)" })
        let tables = facts.dictionaries(chained)
        #expect(tables.first?.text == #"{"kind": "adam", "lr": 0.6}"#)
        #expect(Set(tables).count == tables.count)
    }
}
