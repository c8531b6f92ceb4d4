import Parsing
import SemanticDiff
import SourceModel
import Testing

@Suite struct EditScriptTests {
    func script(_ a: String, _ b: String) throws -> [EditAction] {
        EditScriptGenerator.generate(GumTreeMatcher.match(try lowerPython(a), try lowerPython(b)))
    }

    @Test func identicalAndReformattedAreEmpty() throws {
        #expect(try script("x = f(1, 2)\n", "x = f(1, 2)\n").isEmpty)
        #expect(try script("x = f(1,2) # c\ny = 'a'\n", "x = f(\n    1, 2,\n)\n\ny = \"a\"\n").isEmpty)
    }

    @Test func renameIsOnlyUpdates() throws {
        let actions = try script("def f(total):\n    return total + 1\n", "def f(acc):\n    return acc + 1\n")
        #expect(actions == actions.filter { $0.name == "update" })
        #expect(actions.count == 2)
    }

    @Test func movedFunctionIsOneMove() throws {
        let f = "def helper(a, b):\n    c = a @ b\n    return c\n"
        let g = "def main():\n    return helper(1, 2)\n"
        let actions = try script(f + g, g + f)
        #expect(actions.count == 1)
        #expect(actions.first?.name == "move")
    }

    @Test func insertedStatementAndDeletedOne() throws {
        let actions = try script("def f(x):\n    y = x\n    return y\n", "def f(x):\n    y = x\n    z = y * 2\n    return z\n")
        #expect(actions.contains { $0.name == "insert" })
        #expect(!actions.contains { $0.name == "delete" })
        let back = try script("def f(x):\n    y = x\n    z = y * 2\n    return z\n", "def f(x):\n    y = x\n    return y\n")
        #expect(back.contains { $0.name == "delete" })
    }
}
