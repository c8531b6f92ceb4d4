import Foundation
import Testing
import TestSupport

/// End-to-end: `srlens diff` through the built binary, on small files each test writes for itself.
@Suite(.enabled(if: CLI.isAvailable, "srlens binary not built; run `make test`"))
struct DiffCommandTests {
    let scratch = ScratchFolder("srlens-diff")

    /// A fresh folder of this test's scratch with the given files (name -> contents); returns their paths by name.
    func files(_ contents: [String: String]) throws -> [String: String] {
        let dir = try scratch.folder()
        var paths: [String: String] = [:]
        for (name, text) in contents {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths[name] = url.path
        }
        return paths
    }

    static let script = """
        import torch
        import torch.nn.functional as F

        learning_rate = 0.0015
        warmup_steps = 256

        def mlp(x, w):
            h = F.relu(x @ w) ** 2
            return h

        """

    static let tunedScript = script.replacingOccurrences(of: "0.0015", with: "0.0018")

    static let anyEscape = "\u{1B}"

    @Test func identicalFilesHaveNoSemanticChange() throws {
        let p = try files(["a.py": Self.script, "b.py": Self.script])
        let result = try CLI.run(["diff", p["a.py"]!, p["b.py"]!])
        #expect(result.status == 0)
        #expect(result.stdout.contains("no semantic change"))
        #expect(result.stderr.isEmpty)
    }

    @Test func hyperparameterChangeNamesTheEntityAndBothValues() throws {
        let p = try files(["a.py": Self.script, "b.py": Self.tunedScript])
        let result = try CLI.run(["diff", p["a.py"]!, p["b.py"]!])
        #expect(result.status == 1)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("learning_rate") })
        #expect(line.contains("assignment"))
        #expect(line.contains("0.0015 -> 0.0018"))
        // Only the one setting changed.
        #expect(!result.stdout.contains("warmup_steps"))
        #expect(!result.stdout.contains("mlp"))
    }

    @Test func jsonDocumentHasSchemaSummaryAndChangeKinds() throws {
        let old = """
            learning_rate = 0.001

            def norm(x):
                total = x.sum()
                count = x.numel()
                return total / count

            def old_helper(x):
                return x + 1

            """
        let new = """
            learning_rate = 0.002

            def mean_norm(x):
                total = x.sum()
                count = x.numel()
                return total / count

            def new_helper(y, z):
                print(y)
                return [y * 3, z]

            """
        let p = try files(["old.py": old, "new.py": new])
        let result = try CLI.run(["diff", "--json", p["old.py"]!, p["new.py"]!])
        #expect(result.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "srlens.diff/1")
        #expect((doc["old"] as? [String: Any])?["path"] as? String == p["old.py"])
        #expect(doc["normalization"] as? [String] == ["aliases", "idioms", "keywords", "constants"])
        #expect(doc["edit_script"] == nil, "the edit script is written only with --edit-script")

        let changes = try #require(doc["changes"] as? [[String: Any]])
        func change(_ name: String) -> [String: Any]? { changes.first { $0["name"] as? String == name } }

        let lr = try #require(change("learning_rate"))
        #expect(lr["kind"] as? String == "modified")
        #expect(lr["entity_kind"] as? String == "assignment")
        let detail = try #require((lr["details"] as? [[String: Any]])?.first)
        #expect(detail["kind"] as? String == "value_changed")
        #expect(detail["old"] as? String == "0.001")
        #expect(detail["new"] as? String == "0.002")
        #expect(detail["count"] as? Int == 1)
        let range = try #require(detail["new_range"] as? [String: Any])
        #expect((range["start"] as? [String: Any])?["line"] as? Int == 0, "lines are 0-based")
        #expect(range["start_byte"] as? Int == 16)

        let renamed = try #require(change("mean_norm"))
        #expect(renamed["kind"] as? String == "renamed")
        #expect(renamed["old_name"] as? String == "norm")
        #expect(renamed["also"] as? [String] == [])

        #expect(change("new_helper")?["kind"] as? String == "added")
        #expect(change("new_helper")?["old_range"] == nil)
        #expect(change("old_helper")?["kind"] as? String == "removed")
        #expect(change("old_helper")?["new_range"] == nil)

        let summary = try #require(doc["summary"] as? [String: Int])
        #expect(summary["added"] == 1 && summary["removed"] == 1 && summary["renamed"] == 1 && summary["modified"] == 1)
        #expect(summary["moved"] == 0)
        #expect((summary["update"] ?? 0) >= 1)
    }

    @Test func editScriptListsTheActions() throws {
        let p = try files(["a.py": Self.script, "b.py": Self.tunedScript])
        let text = try CLI.run(["diff", "--edit-script", p["a.py"]!, p["b.py"]!])
        #expect(text.status == 1)
        #expect(text.stdout.contains("edit script (1 action"))
        #expect(text.stdout.contains("update float 0.0015 -> 0.0018 at old 4:17"))

        let json = try CLI.run(["diff", "--json", "--edit-script", p["a.py"]!, p["b.py"]!])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let script = try #require(doc["edit_script"] as? [[String: Any]])
        #expect(script.count == 1)
        #expect(script.first?["op"] as? String == "update")
        #expect(script.first?["kind"] as? String == "float")
        #expect(script.first?["label"] as? String == "0.0015")
        #expect(script.first?["to"] as? String == "0.0018")
    }

    @Test func noColourWhenNoColorIsSetOrOutputIsNotATerminal() throws {
        let p = try files(["a.py": Self.script, "b.py": Self.tunedScript + "def extra():\n    pass\n"])
        for value in ["1", ""] {
            let result = try CLI.run(["diff", "--edit-script", p["a.py"]!, p["b.py"]!], environment: ["NO_COLOR": value])
            #expect(result.status == 1)
            #expect(result.stdout.contains("extra"))
            #expect(!result.stdout.contains(Self.anyEscape), "NO_COLOR=\(value.debugDescription), stdout is a pipe")
            #expect(!result.stderr.contains(Self.anyEscape))
        }
    }

    @Test func normalizationMakesEquivalentIdiomsEqual() throws {
        let before = "import torch\nimport torch.nn.functional as F\n\ndef act(x):\n    return F.relu(x) ** 2\n"
        let after = "import torch\nimport torch.nn.functional as F\n\ndef act(x):\n    return torch.square(torch.relu(x))\n"
        let p = try files(["a.py": before, "b.py": after])

        let standard = try CLI.run(["diff", p["a.py"]!, p["b.py"]!])
        #expect(standard.status == 0)
        #expect(standard.stdout.contains("no semantic change"))

        let none = try CLI.run(["diff", "--normalize", "none", p["a.py"]!, p["b.py"]!])
        #expect(none.status == 1)
        #expect(none.stdout.contains("function act modified"))
        #expect(none.stdout.contains("torch.square(torch.relu(x))"))
    }

    @Test func differentLanguagesAreAnError() throws {
        let p = try files(["a.py": "x = 1\n", "k.cu": "__global__ void k(float* x) { x[0] = 1.0f; }\n"])
        let result = try CLI.run(["diff", p["a.py"]!, p["k.cu"]!])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("not in the same language"))
        #expect(result.stderr.contains("a.py") && result.stderr.contains("k.cu"))
    }

    @Test func missingFileIsAnErrorNamingThePath() throws {
        let p = try files(["a.py": Self.script])
        let missing = (p["a.py"]! as NSString).deletingLastPathComponent + "/absent.py"
        for arguments in [[p["a.py"]!, missing], [missing, p["a.py"]!]] {
            let result = try CLI.run(["diff"] + arguments)
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains(missing))
            #expect(result.stderr.contains("no such file"))
        }
    }

    @Test func unknownNormalizationListsTheKnownNames() throws {
        let p = try files(["a.py": Self.script])
        let result = try CLI.run(["diff", "--normalize", "aliases,bogus", p["a.py"]!, p["a.py"]!])
        #expect(result.status != 0)
        #expect(result.stderr.contains("bogus"))
        for name in ["aliases", "idioms", "keywords", "constants", "identifiers", "standard", "all", "none"] {
            #expect(result.stderr.contains(name), "known name \(name) listed")
        }
    }

    @Test func cudaKernelConstantChange() throws {
        let kernel = """
            #define BLOCK 256

            __global__ void scale(float* x, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) x[i] = x[i] * 0.5f;
            }

            void launch(float* x, int n) {
                scale<<<(n + BLOCK - 1) / BLOCK, BLOCK>>>(x, n);
            }

            """
        let p = try files(["a.cu": kernel, "b.cu": kernel.replacingOccurrences(of: "0.5f", with: "0.25f")])
        let result = try CLI.run(["diff", p["a.cu"]!, p["b.cu"]!])
        #expect(result.status == 1)
        #expect(result.stdout.contains("function scale modified"))
        #expect(result.stdout.contains("constant changed: 0.5f -> 0.25f"))
        #expect(!result.stdout.contains("launch"), "the launching function did not change")
        #expect(!result.stdout.contains("BLOCK"))

        let json = try CLI.run(["diff", "--json", p["a.cu"]!, p["b.cu"]!])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let changes = try #require(doc["changes"] as? [[String: Any]])
        #expect(changes.count == 1)
        let detail = try #require((changes.first?["details"] as? [[String: Any]])?.first)
        #expect(detail["kind"] as? String == "constant_changed")
        #expect(((detail["old_range"] as? [String: Any])?["start"] as? [String: Any])?["line"] as? Int == 4)
    }
}
