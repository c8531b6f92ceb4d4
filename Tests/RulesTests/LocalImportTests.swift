import Engine
import Foundation
import Rules
import SourceModel
import Testing
import TestSupport

/// `local-import`: only train_gpt2.py may change; the submission imports no module of its own.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct LocalImportTests {
    let rule = "local-import"

    @Test func siblingModuleImported() throws {
        var s = try EditedRecord(19)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nfrom fast_kernels import fused_muon_step\n", count: 1)
        try expectFinding(s, rule: rule, at: "from fast_kernels import fused_muon_step", siblings: ["submission/fast_kernels.py"])
    }

    /// A submission split into a package: every module's imports are checked (here `model/gpt.py` importing
    /// `.blocks`), the other rules read the program the modules make, so moving the hyperparameters into
    /// `config.py` drops nothing, and each finding points into its own file.
    @Test func packageCheckedAsOneProgram() throws {
        let base = try EditedRecord(19)
        let text = base.text
        let start = try #require(text.range(of: "@dataclass\nclass Hyperparameters:"))
        let end = try #require(text.range(of: "args = Hyperparameters()"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("model"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "train_gpt2.py": text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "from config import Hyperparameters\nimport model\n"),
            "config.py": "import os\nfrom dataclasses import dataclass\n\n" + text[start.lowerBound..<end.lowerBound],
            "model/__init__.py": "from .gpt import width\n",
            "model/gpt.py": "from .blocks import depth\n\n\ndef width():\n    return 768 * depth()\n",
            "model/blocks.py": "def depth():\n    return 12\n",
        ]
        var paths: [String] = []
        for (name, content) in files {
            let url = folder.appendingPathComponent(name)
            try content.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let report = try CheckService().check(base: base.baseFile, submissionPaths: paths.sorted())
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.allSatisfy { $0.rule == rule }, "\(errors.map(\.message))")
        let placed = Set(errors.flatMap { $0.submission.map { ($0.path as NSString).lastPathComponent } })
        #expect(placed == ["train_gpt2.py", "gpt.py", "__init__.py"], "\(placed)")
    }

    @Test func relativeImport() throws {
        var s = try EditedRecord(12)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nfrom .helpers import zeropower_via_newtonschulz5 as zeropower\n", count: 1)
        try expectFinding(s, rule: rule, at: "from .helpers import")
    }

    @Test func siblingModuleImportedInsideAFunction() throws {
        var s = try EditedRecord(4)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\ndef tuned():\n    import my_muon\n    return my_muon\n", count: 1)
        try expectFinding(s, rule: rule, at: "    import my_muon", siblings: ["my_muon.py"])
    }

    @Test func siblingModuleImportedDynamically() throws {
        var s = try EditedRecord(8)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nimport importlib\nhelpers = importlib.import_module(\"speedups\")\n", count: 1)
        try expectFinding(s, rule: rule, at: "helpers = importlib.import_module(\"speedups\")", siblings: ["speedups.py"])
    }

    @Test func cudaSourceOfTheSubmissionCompiled() throws {
        var s = try EditedRecord(18)
        s.replace("args = Hyperparameters()\n", with: """
        args = Hyperparameters()
        from torch.utils.cpp_extension import load
        fused = load(name="fused_adam", sources=["fused_adam.cu"])

        """, count: 1)
        try expectFinding(s, rule: rule, at: "fused = load(name=\"fused_adam\", sources=[\"fused_adam.cu\"])", siblings: ["fused_adam.cu"])
    }

    @Test func unknownModuleIsAWarning() throws {
        var s = try EditedRecord(15)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nimport speedrun_utils\n", count: 1)
        try expectFinding(s, rule: rule, severity: .warning, at: "import speedrun_utils")
        #expect(try s.check().isValid)
    }

    @Test func knownPackageIsFine() throws {
        var s = try EditedRecord(19)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nimport einops\nfrom triton import language as tl\n", count: 1)
        #expect(try s.check().findings.filter { $0.rule == rule }.isEmpty)
    }
}
