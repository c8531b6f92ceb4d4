import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Modules put in place by name on a built model (`NamedReplacements.swift`), and the attribute bindings they make.
@Suite("Named module replacements")
struct NamedReplacementTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "surgery.py", language: .python, bytes: Array(source.utf8)))
    }

    @Test("setattr with a literal name, set_submodule and a path-walking helper bind the path's last attribute")
    func replacementsFound() throws {
        let facts = try Self.facts("""
        def put(root, path, module):
            head, _, leaf = path.rpartition(".")
            parent = root.get_submodule(head) if head else root
            if leaf.isdigit():
                parent[int(leaf)] = module
            else:
                setattr(parent, leaf, module)

        def relabel(root, path, module):
            setattr(root, "fixed", module)

        setattr(model.body, "tok", Wrapped(model.body.tok))
        model.set_submodule("body.head", Head())
        put(model, "body.norm", Norm())
        put(model, "body.layers.3", Block())
        """)
        let found = facts.namedReplacements().map { "\($0.attribute)=\(facts.compact($0.value))" }
        // The helper's own literal setattr counts once, where it is written; the numbered layer is an index, not an
        // attribute.
        #expect(found == ["fixed=module", "tok=Wrapped(model.body.tok)", "head=Head()", "norm=Norm()"])
        let reference = try #require(facts.nodes(ofType: "attribute").first { $0.text == "model.body.tok" })
        #expect(facts.dataflow.bindings(ofReference: reference).contains { facts.compact($0.node) == "Wrapped(model.body.tok)" })
    }

    @Test("a module of the file assigned onto another object joins the class's own binding of that attribute; values do not")
    func surgeryJoinsOwnBindings() throws {
        let facts = try Self.facts("""
        import torch.nn as nn
        class Squash(nn.Module):
            pass
        class Sigmoid(nn.Module):
            pass
        class LM(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.squash = Squash()
                self.rate = cfg.rate
            def forward(self, z):
                return self.squash(z) * self.rate
        def upgrade(state):
            state.model.squash = Sigmoid()
            state.model.rate = 0.5
        """)
        let forward = try #require(facts.functions.first { $0.name == "forward" })
        let squash = try #require(facts.descendants(of: forward.node).first { $0.type == "attribute" && $0.text == "self.squash" })
        let rate = try #require(facts.descendants(of: forward.node).first { $0.type == "attribute" && $0.text == "self.rate" })
        #expect(facts.dataflow.bindings(ofReference: squash).map { facts.compact($0.node) } == ["Squash()", "Sigmoid()"])
        #expect(facts.dataflow.surgeryClasses(of: squash) == ["Sigmoid"])
        // A number written onto some object is not surgery: the class's own binding stands alone.
        #expect(facts.dataflow.bindings(ofReference: rate).map { facts.compact($0.node) } == ["cfg.rate"])
        #expect(facts.dataflow.instanceClasses(of: squash) == ["Squash", "Sigmoid"])
    }

    @Test("a helper whose setattr name is not made from its path parameter binds nothing")
    func unrelatedHelper() throws {
        let facts = try Self.facts("""
        def tag(obj, label, value):
            key = "meta_" + "x"
            setattr(obj, key, value)

        tag(model, "body.tok", Wrapped())
        """)
        #expect(facts.namedReplacements().isEmpty)
    }

    @Test("a parameter default does not hold when a call spreads a dictionary that cannot be read")
    func defaultWithUnreadSpread() throws {
        let facts = try Self.facts("""
        class Attention:
            def __init__(self, dim, dim_head=64):
                inner = dim_head * 2

        def split(prefix, d):
            return helper(prefix, d)

        def build(**kwargs):
            attn_kwargs, rest = split("attn_", kwargs)
            return Attention(768, **attn_kwargs)

        def plain():
            return Attention(768)
        """)
        let parameter = try #require(facts.nodes(ofType: "identifier").first { $0.text == "dim_head" && $0.parent?.type == "binary_operator" })
        #expect(facts.mayReceiveUnreadKeyword(parameter))
        #expect(ScriptInterpreter(facts).value(of: parameter) == nil)
        let known = try Self.facts("""
        class Attention:
            def __init__(self, dim, dim_head=64):
                inner = dim_head * 2

        a = Attention(768, **dict(other=1))
        """)
        let p = try #require(known.nodes(ofType: "identifier").first { $0.text == "dim_head" && $0.parent?.type == "binary_operator" })
        #expect(!known.mayReceiveUnreadKeyword(p))
        #expect(ScriptInterpreter(known).value(of: p) == .number(64))
    }
}
