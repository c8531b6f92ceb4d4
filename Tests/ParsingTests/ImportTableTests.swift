import Parsing
import Testing
import TreeSitterGrammars
import TreeSitterKit

@Suite struct ImportTableTests {
    func table(_ source: String) throws -> ImportTable {
        ImportTable(root: try Parser(language: .python).parse(source).rootNode)
    }

    @Test func everyNameOfAFromImportIsBound() throws {
        let imports = try table("from torch import Tensor, nn\nfrom torch.nn import functional as F, init\n")
        #expect(imports.bindings["Tensor"] == "torch.Tensor")
        #expect(imports.bindings["nn"] == "torch.nn")
        #expect(imports.bindings["F"] == "torch.nn.functional")
        #expect(imports.bindings["init"] == "torch.nn.init")
    }

    @Test func parenthesizedAndAliasedImports() throws {
        let imports = try table("from torch.nn.functional import (\n    relu,\n    gelu as g,\n)\nimport numpy as np, math\n")
        #expect(imports.bindings["relu"] == "torch.nn.functional.relu")
        #expect(imports.bindings["g"] == "torch.nn.functional.gelu")
        #expect(imports.bindings["np"] == "numpy")
        #expect(imports.bindings["math"] == "math")
    }
}
