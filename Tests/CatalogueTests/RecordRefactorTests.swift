import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Refactoring a whole record must not change what it is found to implement: each rewrite of
/// `PythonRewrites` (renamed variables and parameters, new layout, reordered definitions, hyperparameters in
/// module constants, and all of them together) is applied to every record, and the classifier must find the
/// same innovations as in the original.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct RecordRefactorTests {
    enum Rewrite: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case renameVariables, breakArgumentLines, swapQuotes, blankLinesAndComments, reorderDefinitions,
             hyperparameterConstants, hyperparameterReads, literalConstants, literalsIntoDataclass, magicNumberConstants, all

        var testDescription: String { rawValue }

        func apply(_ bytes: [UInt8]) throws -> PythonRewrites.Result {
            switch self {
            case .renameVariables: return try PythonRewrites.renameVariables(bytes)
            case .breakArgumentLines: return try PythonRewrites.breakArgumentLines(bytes)
            case .swapQuotes: return try PythonRewrites.swapQuotes(bytes)
            case .blankLinesAndComments: return try PythonRewrites.blankLinesAndComments(bytes)
            case .reorderDefinitions: return try PythonRewrites.reorderDefinitions(bytes)
            case .hyperparameterConstants: return try PythonRewrites.hyperparameterConstants(bytes, readsToo: false)
            case .hyperparameterReads: return try PythonRewrites.hyperparameterConstants(bytes, readsToo: true)
            case .literalConstants: return try PythonRewrites.literalConstants(bytes)
            case .literalsIntoDataclass: return try PythonRewrites.literalsIntoDataclass(bytes)
            case .magicNumberConstants: return try PythonRewrites.magicNumberConstants(bytes)
            case .all:
                var result = PythonRewrites.Result(bytes: bytes, changes: 0)
                for step in Rewrite.allCases where step != .all {
                    let next = try step.apply(result.bytes)
                    result = PythonRewrites.Result(bytes: next.bytes, changes: result.changes + next.changes)
                }
                return result
            }
        }
    }

    @Test(arguments: Rewrite.allCases, Corpus.recordNumbers)
    func rewriteKeepsTheDetections(_ rewrite: Rewrite, record: Int) throws {
        let original = Array(try Data(contentsOf: Corpus.record(record)))
        let rewritten = try rewrite.apply(original)
        #expect(rewritten.changes > 0, "\(rewrite) changed nothing in record \(record)")
        let tree = try PythonRewrites.facts(rewritten.bytes).root
        #expect(!tree.hasError, "\(rewrite) of record \(record) does not parse")

        let before = try RecordFacts.cached(record)
        let after = try RecordFacts.detected(path: "record_\(record)/train_gpt2.py", bytes: rewritten.bytes)
        for id in before.subtracting(after).sorted() {
            Issue.record("\(rewrite) of record \(record): \(id) no longer detected")
        }
        for id in after.subtracting(before).sorted() {
            Issue.record("\(rewrite) of record \(record): \(id) detected only after the rewrite")
        }
    }
}

/// The rewrites themselves, on small inputs: they change what they should and keep Python's meaning.
struct PythonRewriteTests {
    func text(_ result: PythonRewrites.Result) -> String { result.text }

    @Test func renamingIsScopedAndLeavesInterfacesAlone() throws {
        let source = """
        import torch
        class Config:
            lr = 0.1
        def f(x, scale, eps=lr_default):
            y = x * scale
            return [y for y in (y, x)]
        lr_default = 1e-6
        total = f(torch.ones(1), scale=2.0)
        obj.total = total

        """
        let out = try PythonRewrites.renameVariables(Array(source.utf8)).text
        // The parameter passed by keyword keeps its name; x and y do not.
        #expect(out.contains("scale=2.0") && out.contains(" * scale"))
        #expect(!out.contains("y = x") && !out.contains("(x, scale"))
        // The default is evaluated outside f: it follows the module-level renaming of lr_default.
        #expect(!out.contains("lr_default"))
        // Attribute names, imports and class-body fields stay.
        #expect(out.contains("obj.total = ") && out.contains("import torch") && out.contains("    lr = 0.1"))
        #expect(!out.contains("\ntotal = "))
        #expect(!(try PythonRewrites.facts(Array(out.utf8))).root.hasError)
    }

    @Test func quotesSwapOnlyWhereNothingNeedsEscaping() throws {
        let source = #"a = 'x'; b = "y"; c = "it's"; d = f"{e['k']}"; g = '''t'''"# + "\n"
        let out = try PythonRewrites.swapQuotes(Array(source.utf8)).text
        #expect(out == #"a = "x"; b = 'y'; c = "it's"; d = f"{e['k']}"; g = '''t'''"# + "\n")
    }

    @Test func reorderingKeepsBaseClassesFirst() throws {
        let source = """
        class A:
            pass


        class B(A):
            pass


        def g():
            return B()

        x = g()

        """
        let out = try PythonRewrites.reorderDefinitions(Array(source.utf8)).text
        let a = try #require(out.range(of: "class A")), b = try #require(out.range(of: "class B")),
            g = try #require(out.range(of: "def g")), x = try #require(out.range(of: "x = g()"))
        #expect(g.lowerBound < a.lowerBound && a.lowerBound < b.lowerBound && b.lowerBound < x.lowerBound)
    }

    @Test func hyperparameterReadsBecomeConstants() throws {
        let source = """
        from dataclasses import dataclass
        @dataclass
        class Hyperparameters:
            batch_size : int = 8*64
            lr = 0.5
        args = Hyperparameters()
        args.lr = 0.1
        def show(*args):
            return args.batch_size
        n = args.batch_size + args.lr

        """
        let out = try PythonRewrites.hyperparameterConstants(Array(source.utf8), readsToo: true).text
        #expect(out.contains("HYPERPARAMETERS_BATCH_SIZE_1 = 8*64"))
        #expect(out.contains("batch_size : int = HYPERPARAMETERS_BATCH_SIZE_1"))
        // A written field and a shadowing local keep the attribute read.
        #expect(out.contains("n = HYPERPARAMETERS_BATCH_SIZE_1 + args.lr"))
        #expect(out.contains("return args.batch_size"))
    }

    @Test func magicNumbersAndOptimizerLiteralsMove() throws {
        let source = """
        import torch
        from dataclasses import dataclass
        @dataclass
        class Hyperparameters:
            seq_len : int = 64*1024
        args = Hyperparameters()
        opt = torch.optim.Adam(params, lr=0.6, betas=(0.8, 0.95), fused=True)
        logits = 30 * torch.tanh(logits / 30.0)
        x = y[1024:] * 3

        """
        let named = try PythonRewrites.magicNumberConstants(Array(source.utf8)).text
        #expect(named.contains("logits = K_") && !named.contains("30 * torch") && !named.contains("/ 30.0"))
        #expect(named.contains("seq_len : int = K_") && named.contains("lr=K_"))
        // Subscripts and small integers stay.
        #expect(named.contains("x = y[1024:] * 3"))
        let fields = try PythonRewrites.literalsIntoDataclass(Array(source.utf8)).text
        #expect(fields.contains("    opt_lr_1 : float = 0.6\n") && fields.contains("    opt_betas_2 : tuple = (0.8, 0.95)\n"))
        #expect(fields.contains("Adam(params, lr=args.opt_lr_1, betas=args.opt_betas_2, fused=args.opt_fused_3)"))
        #expect(!(try PythonRewrites.facts(Array(fields.utf8))).root.hasError)
    }
}
