import Catalogue
import SourceModel
import Testing
import TestSupport

/// Configuration documents kept in strings and loaded at run time: their entries are settings whose values sit at
/// their own place in the script.
@Suite("Embedded configuration documents")
struct EmbeddedConfigTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "config.py", language: .python, bytes: Array(source.utf8)))
    }

    @Test("TOML, YAML and JSON entries resolve where they are read, at their own offsets")
    func documents() throws {
        let source = #"""
        import json, tomllib, yaml
        TOML = """
        [optimizer]
        lr = 1.8e-3   # peak
        fused = true
        [schedule]
        warmup-steps = 256
        """
        job = tomllib.loads(TOML)
        run = yaml.safe_load("""
        model:
          width: 768
          cap: 15.0
        tags: [a, b]
        """)
        extra = json.loads('{"eps": 1e-10, "beta1": 0.8}')
        picked = (job["optimizer"]["lr"], job["schedule"]["warmup-steps"], run["model"]["width"], run["model"]["cap"], extra["eps"], extra["beta1"])
        unloaded = """
        lr = 0.5
        """
        """#
        let facts = try Self.facts(source)
        let tuple = facts.nodes(ofType: "tuple").last!.namedChildren
        #expect(tuple.map { facts.values(of: $0).map(\.double) } == [[0.0018], [256], [768], [15], [1e-10], [0.8]])
        // The value's node covers the value's own text in the script, and says where it came from.
        let lr = facts.allSettings.settings("lr")
        #expect(lr.count == 1)
        #expect(lr.first.map { facts.file.text(in: $0.value.byteRange) } == "1.8e-3")
        #expect(lr.first?.written == "optimizer.lr")
        #expect(facts.allSettings.settings("fused").first?.value.type == "true")
        #expect(facts.allSettings.settings("cap").first?.written == "model.cap")
        // A string that no loader reads is text, not configuration.
        #expect(!facts.allSettings.settings("lr").contains { facts.file.text(in: $0.value.byteRange) == "0.5" })
    }

    @Test("a document reaches its loader through a conditional default and a loader method's parameter")
    func documentThroughParameterAndDefault() throws {
        let source = #"""
        import tomllib
        DEFAULTS = """
        [model]
        qk_norm = true
        """
        class Job:
            @classmethod
            def from_text(cls, text, overrides=None):
                return tomllib.loads(text)
        def load(path=None):
            text = open(path).read() if path else DEFAULTS
            return Job.from_text(text)
        OTHER = """
        [model]
        depth = 6
        """
        def either(flag):
            return tomllib.loads(OTHER if flag else DEFAULTS)
        """#
        let facts = try Self.facts(source)
        #expect(facts.allSettings.settings("qk_norm").map(\.value.type) == ["true"])
        // Two documents on the two sides of a conditional: the run could load either, so neither is read as the one.
        #expect(facts.allSettings.settings("depth").isEmpty)
    }

    @Test("entries that are not plain values are left out")
    func nonLiterals() throws {
        let source = #"""
        import yaml
        cfg = yaml.safe_load("""
        lr: ${oc.env:LR}
        layers:
          - 12
        name: gpt
        steps: 5100
        """)
        """#
        let facts = try Self.facts(source)
        #expect(facts.allSettings.settings("lr").isEmpty)
        #expect(facts.allSettings.settings("steps").first.map { facts.values(of: $0.value) } == [.int(5100)])
    }

    @Test("a value spread over several lines is left out without swallowing the entries after it")
    func multiLineValues() throws {
        let source = #"""
        import json
        cfg = json.loads("""
        {
          "betas": [0.9,
                    0.95],
          "optimizer": {
            "lr": 0.0018
          },
          "steps": 1770
        }
        """)
        """#
        let facts = try Self.facts(source)
        #expect(facts.allSettings.settings("betas").isEmpty)
        #expect(facts.allSettings.settings("lr").first.map { facts.values(of: $0.value) } == [.float(0.0018)])
        #expect(facts.allSettings.settings("steps").first.map { facts.values(of: $0.value) } == [.int(1770)])
    }
}
