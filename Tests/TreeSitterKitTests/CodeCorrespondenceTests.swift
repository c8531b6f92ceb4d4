import Testing
import TreeSitterGrammars
import TreeSitterKit

/// Two versions hold the same code when only comments and the whitespace between tokens differ; then every node
/// of the old version has a place in the new one.
@Suite struct CodeCorrespondenceTests {
    static let original = """
    import torch

    def step(model, lr=0.02):
        loss = model(x) * 2  # scaled
        if loss > 1:
            loss.backward()
        return {"lr": lr, "note": "# not a comment"}
    """

    static func parse(_ text: String) throws -> Tree {
        try Parser(language: .python).parse(bytes: Array(text.utf8))
    }

    static func correspondence(_ old: String, _ new: String) throws -> CodeCorrespondence? {
        CodeCorrespondence(old: try parse(old), new: try parse(new), ignoring: ["comment"])
    }

    @Test("comments, blank lines and spacing between tokens keep the code", arguments: [
        "# a header comment\n" + original,
        original.replacingOccurrences(of: "# scaled", with: "# scaled by two, see the paper"),
        original.replacingOccurrences(of: "  # scaled", with: ""),
        original.replacingOccurrences(of: "\n\ndef", with: "\n\n\n# the step\n\ndef"),
        original.replacingOccurrences(of: "loss = model(x) * 2", with: "loss = model( x )*2"),
        original.replacingOccurrences(of: "    if loss > 1:\n", with: "    # check\n    if loss > 1:  # big\n"),
    ])
    func sameCode(_ edited: String) throws {
        let old = try Self.parse(Self.original), new = try Self.parse(edited)
        let correspondence = try #require(CodeCorrespondence(old: old, new: new, ignoring: ["comment"]))
        // Every named node that is not a comment maps to its counterpart, or to nothing when its boundary is
        // ambiguous; never to another place.
        let oldNodes = old.rootNode.namedDescendants(stoppingAt: { _ in false }).filter { $0.type != "comment" }
        let newNodes = new.rootNode.namedDescendants(stoppingAt: { _ in false }).filter { $0.type != "comment" }
        #expect(oldNodes.count == newNodes.count)
        var mapped = 0
        for (a, b) in zip(oldNodes, newNodes) {
            #expect(a.type == b.type)
            #expect(a.text == b.text || a.childCount > 0)
            if let range = correspondence.newRange(for: a.byteRange) {
                #expect(range == b.byteRange, "\(a.type) at \(a.byteRange)")
                mapped += 1
            }
        }
        #expect(mapped * 10 >= oldNodes.count * 9, "most nodes map")
    }

    @Test("a change of code is not the same code", arguments: [
        original.replacingOccurrences(of: "lr=0.02", with: "lr=0.03"),
        original.replacingOccurrences(of: "loss = model(x)", with: "loss = net(x)"),
        original.replacingOccurrences(of: "\"# not a comment\"", with: "\"# not a comment either\""),
        original.replacingOccurrences(of: "        loss.backward()", with: "    loss.backward()"),
        original + "\nprint(1)\n",
        original.replacingOccurrences(of: "* 2", with: "* (2"),
    ])
    func differentCode(_ edited: String) throws {
        #expect(try Self.correspondence(Self.original, edited) == nil)
    }

    @Test func rangesMoveWithTheirNodesAndOnlyThen() throws {
        let edited = "# header\n" + Self.original
        let correspondence = try #require(try Self.correspondence(Self.original, edited))
        // The function (from byte 14, after "import torch\n\n", to the end) moves by the header's 9 bytes.
        let end = Self.original.utf8.count
        #expect(correspondence.newRange(for: 14..<end) == 23..<(end + 9))
        // A range that starts inside a token ("import" at byte 2) is no node's: it has no place.
        #expect(correspondence.newRange(for: 2..<end) == nil)
    }
}
