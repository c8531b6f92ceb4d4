import Testing
import TreeSitterGrammars
import TreeSitterKit

@Suite struct ParserTests {
    @Test func grammarsLoadIntoTheRuntime() throws {
        for language in [Language.python, Language.cuda] {
            #expect(Language.runtimeABIRange.contains(language.abiVersion))
            _ = try Parser(language: language)
        }
    }

    @Test func incompatibleGrammarIsReportedWithBothVersions() {
        let error = TreeSitterError.incompatibleLanguage(name: "x", grammarVersion: 15, runtimeMinimum: 13,
                                                         runtimeMaximum: 14)
        #expect(error.description.contains("15") && error.description.contains("13-14"))
    }

    @Test func parsesPythonWithFieldsAndPoints() throws {
        let parser = try Parser(language: .python)
        let tree = try parser.parse("def f(x):\n    return x ** 2\n")
        let root = tree.rootNode
        #expect(root.type == "module" && !root.hasError)
        let function = try #require(root.namedChild(0))
        #expect(function.type == "function_definition")
        #expect(function.child(byField: "name")?.text == "f")
        let body = try #require(function.child(byField: "body"))
        #expect(body.startPoint == Point(row: 1, column: 4))
        #expect(root.sExpression.hasPrefix("(module (function_definition"))
    }

    @Test func syntaxErrorsAreVisible() throws {
        let tree = try Parser(language: .python).parse("def f(:\n  pass\n")
        #expect(tree.rootNode.hasError)
        #expect(tree.rootNode.preorder.contains { $0.isError || $0.isMissing })
    }

    @Test func preorderVisitsEveryNodeWithoutRecursion() throws {
        let depth = 5_000
        let source = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "\n"
        let parser = try Parser(language: .python)
        parser.maximumDepth = .max
        let tree = try parser.parse(source)
        let iterator = tree.rootNode.preorder.withDepth.makeIterator()
        var maxDepth = 0, count = 0
        while iterator.next() != nil {
            count += 1
            maxDepth = max(maxDepth, iterator.currentDepth)
        }
        #expect(count > depth * 3)
        #expect(maxDepth > depth)
    }

    @Test("a tree knows its depth and the first node that deep")
    func depthOfATree() throws {
        let parser = try Parser(language: .python)
        let flat = try parser.parse("x = 1\n")
        // module > expression_statement > assignment > integer
        #expect(flat.depth == 3)
        #expect(flat.deepestNode.type == "identifier" && flat.deepestNode.text == "x")
        let nested = try parser.parse("a = 1\nb = [[[2]]]\nc = [[[[3]]]]\nd = [[[[4]]]]\n")
        #expect(nested.deepestNode.startPoint.row == 2)
        #expect(nested.deepestNode.text == "[")
        #expect(try parser.parse("").depth == 0)
    }

    @Test("source nesting deeper than the limit is an error naming the depth and the line, not a tree")
    func nestingBeyondTheLimit() throws {
        let parser = try Parser(language: .python)
        #expect(parser.maximumDepth == Parser.defaultMaximumDepth)
        // A 2,000-term sum nests one level per `+`: legal Python that recursive walks cannot follow.
        let sum = "ok = 1\ntotal = " + Array(repeating: "a", count: 2_000).joined(separator: " + ") + "\n"
        #expect {
            try parser.parse(sum)
        } throws: { error in
            guard case let .nestingTooDeep(depth, limit, line) = error as? TreeSitterError else { return false }
            return depth > 2_000 && limit == Parser.defaultMaximumDepth && line == 2
        }
        let message = TreeSitterError.nestingTooDeep(depth: 2003, limit: 500, line: 2).description
        #expect(message.contains("2003") && message.contains("line 2") && message.contains("500"))
        // Just under the limit parses; the parser is usable after the error, and the limit can be raised.
        let brackets = { (n: Int) in "x = " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n" }
        #expect(try parser.parse(brackets(Parser.defaultMaximumDepth - 5)).depth <= Parser.defaultMaximumDepth)
        #expect(throws: TreeSitterError.self) { try parser.parse(brackets(Parser.defaultMaximumDepth)) }
        parser.maximumDepth = 5_000
        #expect(try parser.parse(sum).depth > 2_000)
    }

    @Test func incrementalReparseReusesTheOldTree() throws {
        let parser = try Parser(language: .python)
        let old = "x = 1\ny = 2\n"
        let oldTree = try parser.parse(old)
        let oldBytes = Array(old.utf8)
        let edit = InputEdit.replacing(4..<5, in: oldBytes, with: Array("42".utf8))
        let newBytes = Array("x = 42\ny = 2\n".utf8)
        #expect(edit.newEndPoint == Point(row: 0, column: 6))
        let edited = oldTree.edited(edit)
        let newTree = try parser.parse(bytes: newBytes, oldTree: edited)
        #expect(newTree.rootNode.namedChild(0)?.text == "x = 42")
        #expect(newTree.rootNode.namedChild(1)?.startPoint == Point(row: 1, column: 0))
        let fresh = try parser.parse(bytes: newBytes)
        #expect(fresh.rootNode.sExpression == newTree.rootNode.sExpression)
        // A structural edit: `42` becomes `(42)`; tree-sitter reports the change inside line 0 only.
        let wrapped = Array("x = (42)\ny = 2\n".utf8)
        let wrapEdit = InputEdit.replacing(4..<6, in: newBytes, with: Array("(42)".utf8))
        let wrappedOld = newTree.edited(wrapEdit)
        let wrappedTree = try parser.parse(bytes: wrapped, oldTree: wrappedOld)
        let changed = wrappedTree.changedRanges(from: wrappedOld)
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { $0.upperBound <= 9 }, "\(changed)")
        // The old tree is untouched by the edit.
        #expect(oldTree.rootNode.namedChild(0)?.text == "x = 1")
    }

    @Test func timeoutAbortsInsteadOfHanging() throws {
        let parser = try Parser(language: .python)
        parser.timeoutMicroseconds = 1
        let big = String(repeating: "x = [1, 2, 3, (4, 5)]\n", count: 50_000)
        #expect(throws: TreeSitterError.self) { try parser.parse(big) }
        parser.timeoutMicroseconds = 0
        #expect(try parser.parse("x = 1\n").rootNode.type == "module", "the parser is usable after an abort")
    }
}
