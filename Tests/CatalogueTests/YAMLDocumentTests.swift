import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// YAML documents loaded at run time read as the dictionaries and lists PyYAML gives, their scalars at their own
/// offsets in the script where the Python text leaves room.
@Suite("YAML documents")
struct YAMLDocumentTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "run.py", language: .python, bytes: Array(source.utf8)))
    }

    /// The value of `key` in a dictionary node.
    static func entry(_ key: String, in dictionary: Node) -> Node? {
        dictionary.namedChildren.first { $0.type == "pair" && $0.child(byField: "key")?.text == "\"\(key)\"" }?.child(byField: "value")
    }

    static func offset(of text: String, in source: String) throws -> Int {
        let range = try #require(source.range(of: text))
        return source.utf8.distance(from: source.startIndex, to: range.lowerBound)
    }

    static let source = #"""
    import yaml
    CONFIG_YAML = """
    # shared settings
    base: &base
      betas: [0.9, 0.95]
      eps: 1.0e-10
    optim:
      base_lr: &lr 0.0036
      optimizers:
        - type: AdamW
          lr: *lr
          kwargs: {<<: *base, fused: true, eps: 1.0e-8}
        - type: Muon
          lr: 0.05   # the hidden matrices
          nesterov: yes
    schedule:
      warmup: 0
      cooldown: ~
    """
    cfg = yaml.safe_load(CONFIG_YAML)
    LIST = yaml.safe_load("[1, 2.5, x]")
    BROKEN = yaml.safe_load("a: [1, 2")
    SCALAR = yaml.safe_load("just text")
    """#

    @Test("a document reads as the nested dictionaries and lists it holds, with PyYAML's scalars, anchors and merge keys")
    func structure() throws {
        let facts = try Self.facts(Self.source)
        let loads = facts.calls.filter { $0.callee == "yaml.safe_load" }.map(\.node)
        #expect(loads.count == 4)
        let config = try #require(facts.yamlDocument(loads[0]))
        #expect(config.type == "dictionary")
        let optim = try #require(Self.entry("optim", in: config))
        let optimizers = try #require(Self.entry("optimizers", in: optim))
        #expect(optimizers.type == "list")
        let entries = optimizers.namedChildren
        #expect(entries.count == 2)
        #expect(Self.entry("type", in: entries[1])?.text == "\"Muon\"")
        // An alias is the value it names; a merge key brings the named mapping's entries, the mapping's own winning.
        let adamLr = try #require(Self.entry("lr", in: entries[0]))
        #expect(facts.values(of: adamLr).map(\.double) == [0.0036])
        let kwargs = try #require(Self.entry("kwargs", in: entries[0]))
        #expect(Self.entry("betas", in: kwargs)?.type == "list")
        #expect(Self.entry("eps", in: kwargs).flatMap { facts.values(of: $0).first?.double } == 1e-8)
        #expect(kwargs.namedChildren.filter { $0.type == "pair" }.count == 3)
        // YAML 1.1 words: `yes` and `true` are True, `~` is None.
        let fused = try #require(Self.entry("fused", in: kwargs))
        let nesterov = try #require(Self.entry("nesterov", in: entries[1]))
        #expect(facts.truth(of: fused) == true)
        #expect(facts.truth(of: nesterov) == true)
        let schedule = try #require(Self.entry("schedule", in: config))
        #expect(Self.entry("cooldown", in: schedule)?.type == "none")
        // Other loads: a flow list reads; an unclosed one and a plain scalar do not.
        #expect(facts.yamlDocument(loads[1])?.type == "list")
        #expect(facts.yamlDocument(loads[2]) == nil)
        #expect(facts.yamlDocument(loads[3]) == nil)
        // `dictionaries` reads a name set to a loaded document.
        let name = try #require(facts.nodes(ofType: "identifier").first { $0.text == "cfg" })
        #expect(facts.dictionaries(name).map(\.startByte) == [config.startByte])
    }

    @Test("scalars stand where the document writes them when the text before leaves room")
    func offsets() throws {
        let facts = try Self.facts(Self.source)
        let config = try #require(facts.calls.first { $0.callee == "yaml.safe_load" }.flatMap { facts.yamlDocument($0.node) })
        let optim = try #require(Self.entry("optim", in: config))
        let muon = try #require(Self.entry("optimizers", in: optim)?.namedChildren.last)
        let lr = try #require(Self.entry("lr", in: muon))
        #expect(lr.startByte == (try Self.offset(of: "0.05", in: Self.source)))
        let schedule = try #require(Self.entry("schedule", in: config))
        let warmup = try #require(Self.entry("warmup", in: schedule))
        #expect(warmup.startByte == (try Self.offset(of: "0\n  cooldown", in: Self.source)))
    }
}
