import Parsing
import SourceModel
import Testing
import TreeSitterGrammars
import TreeSitterKit

/// The fast name checks agree with the slow ones they stand in for.
@Suite struct QualifiedNameTests {
    /// `ImportTable.resolves(node, to:)` answers exactly `qualifiedName(of: node) == qualified`, for every name
    /// expression of a script with aliases, module aliases, local names and non-ASCII identifiers.
    @Test func resolvesAgreesWithTheBuiltPath() throws {
        let source = """
        import torch
        import torch.nn.functional as F
        from torch.nn.attention.flex_attention import flex_attention as fa, create_block_mask
        from torch.nn.attention import flex_attention as flex
        import torch.nn.attention.flex_attention
        y = fa(q, k, v) + flex.flex_attention(q, k, v) + torch.nn.attention.flex_attention.flex_attention(q, k, v)
        z = F.relu(x) + create_block_mask(m) + other.flex_attention(q) + flex_attention(q) + σ.flex_attention(q)
        w = x.flex_attentio(q) + x.flex_attention_(q) + F.relu.flex_attention
        """
        let tree = try Parser(language: .python).parse(source)
        let table = ImportTable(root: tree.rootNode)
        let targets = ["torch.nn.attention.flex_attention.flex_attention", "torch.nn.functional.relu",
                       "torch.nn.attention.flex_attention.create_block_mask", "other.flex_attention", "flex_attention", "x"]
        var matched = 0
        for node in tree.rootNode.preorder where node.type == "identifier" || node.type == "attribute" {
            for target in targets {
                let expected = table.qualifiedName(of: node) == target
                #expect(table.resolves(node, to: target) == expected, "\(node.text) as \(target)")
                if expected { matched += 1 }
            }
        }
        #expect(matched >= 8, "the script names the targets in many spellings")
    }

    @Test func nodeTextComparesByBytes() throws {
        let tree = try Parser(language: .python).parse("σx = flex_attention\n")
        let names = tree.rootNode.preorder.filter { $0.type == "identifier" }
        #expect(names.count == 2)
        #expect(names[0].hasText("σx"))
        #expect(!names[0].hasText("σ"))
        #expect(names[1].hasText("flex_attention"[...]))
        #expect(!names[1].hasText("flex_attentiom"))
        #expect(!names[1].hasText(""))
    }

    @Test func lastComponents() {
        #expect("torch.nn.functional.relu".lastDottedComponent == "relu")
        #expect("relu".lastDottedComponent == "relu")
        #expect("cooperative_groups::this_grid".lastQualifiedComponent == "this_grid")
        #expect("nvcuda::wmma::mma_sync".lastQualifiedComponent == "mma_sync")
        #expect("__syncthreads".lastQualifiedComponent == "__syncthreads")
        #expect("ns::f::".lastQualifiedComponent == "f", "trailing colons are ignored")
        #expect("".lastQualifiedComponent == "")
    }
}
