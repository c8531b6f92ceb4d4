import Testing
import TreeSitterGrammars
import TreeSitterKit

@Suite struct QueryTests {
    let source = """
    import torch.nn.functional as F
    def mlp(x):
        y = F.relu(x).square()
        z = F.gelu(x)
        return torch.relu(y) + z
    """

    func run(_ query: String) throws -> [QueryMatch] {
        let tree = try Parser(language: .python).parse(source)
        let q = try Query(language: .python, source: query)
        return QueryCursor().matches(of: q, in: tree.rootNode)
    }

    @Test func compileErrorsCarryKindAndOffset() {
        do {
            _ = try Query(language: .python, source: "(call function: (no_such_node))")
            Issue.record("expected a compile error")
        } catch let TreeSitterError.queryCompile(kind, offset, _) {
            #expect(kind == .nodeType)
            #expect(offset == 17, "the offset points at the unknown node type")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func eqAndNotEq() throws {
        let calls = "(call function: (attribute attribute: (identifier) @name))"
        #expect(try run("(\(calls) (#eq? @name \"relu\"))").count == 2)
        #expect(try run("(\(calls) (#not-eq? @name \"relu\"))").map { $0["name"]!.text }.sorted() == ["gelu", "square"])
    }

    @Test func matchAndAnyOf() throws {
        let calls = "(call function: (attribute attribute: (identifier) @name))"
        #expect(try run("(\(calls) (#match? @name \"^(ge|re)lu$\"))").count == 3)
        #expect(try run("(\(calls) (#not-match? @name \"lu$\"))").map { $0["name"]!.text } == ["square"])
        #expect(try run("(\(calls) (#any-of? @name \"gelu\" \"square\"))").count == 2)
        #expect(try run("(\(calls) (#not-any-of? @name \"gelu\" \"square\"))").count == 2)
    }

    @Test func eqBetweenCaptures() throws {
        let tree = try Parser(language: .python).parse("a = a\nb = c\n")
        let q = try Query(language: .python, source: "(assignment left: (_) @l right: (_) @r (#eq? @l @r))")
        #expect(QueryCursor().matches(of: q, in: tree.rootNode).map { $0["l"]!.text } == ["a"])
    }

    @Test func capturesWithSeveralNodesNeedEveryNodeUnlessAny() throws {
        let tree = try Parser(language: .python).parse("f(a, a)\ng(a, b)\n")
        let all = try Query(language: .python,
                            source: "(call function: (identifier) @f arguments: (argument_list (identifier) @arg (identifier) @arg) (#eq? @arg \"a\"))")
        #expect(QueryCursor().matches(of: all, in: tree.rootNode).map { $0["f"]!.text } == ["f"])
        let any = try Query(language: .python,
                            source: "(call function: (identifier) @f arguments: (argument_list (identifier) @arg (identifier) @arg) (#any-eq? @arg \"b\"))")
        #expect(QueryCursor().matches(of: any, in: tree.rootNode).map { $0["f"]!.text } == ["g"])
    }

    @Test func unknownPredicatesAreKeptForTheCaller() throws {
        let q = try Query(language: .python, source: "((identifier) @id (#srl-role? @id \"lr\"))")
        #expect(q.otherPredicates[0].first?.name == "srl-role?")
        #expect(q.otherPredicates[0].first?.arguments.last == .string("lr"))
    }

    @Test func badRegexIsAnError() {
        #expect(throws: TreeSitterError.self) {
            _ = try Query(language: .python, source: "((identifier) @id (#match? @id \"(\"))")
        }
    }

    @Test func cudaQueriesSeeKernelSyntax() throws {
        let tree = try Parser(language: .cuda).parse("__global__ void k(float* x) {}\nvoid h(float* x) { k<<<1, 32>>>(x); }\n")
        #expect(!tree.rootNode.hasError)
        let q = try Query(language: .cuda, source: "(kernel_call_syntax) @launch")
        #expect(QueryCursor().matches(of: q, in: tree.rootNode).count == 1)
    }
}

@Suite struct QueryCacheTests {
    @Test func compilesOnceAndSharesTheQuery() throws {
        let cache = QueryCache()
        let a = try cache.query(language: .python, source: "(identifier) @id")
        let b = try cache.query(language: .python, source: "(identifier) @id")
        #expect(a === b)
        let c = try cache.query(language: .cuda, source: "(identifier) @id")
        #expect(a !== c, "the same text for another grammar is another query")
        #expect(cache.count == 2)
        #expect(throws: TreeSitterError.self) { try cache.query(language: .python, source: "(nope)") }
        #expect(cache.count == 2)
    }
}
