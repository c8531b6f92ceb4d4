import Foundation
import Testing
import TestSupport

/// End-to-end: the built `srlens` binary, as a user runs it.
@Suite(.enabled(if: CLI.isAvailable, "srlens binary not built; run `make test`"))
struct ParseCommandTests {
    let scratch = ScratchFolder("srlens-cli")

    @Test func mixedGoodAndBadFilesReportEachAndExitNonZero() throws {
        let dir = scratch.url
        let good = dir.appendingPathComponent("good.py")
        try "def f():\n    return 1\n".write(to: good, atomically: true, encoding: .utf8)
        let binary = dir.appendingPathComponent("bin.py")
        try Data([0x00, 0x01, 0x02]).write(to: binary)
        let deep = dir.appendingPathComponent("deep.py")
        try ("x = " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + "\n")
            .write(to: deep, atomically: true, encoding: .utf8)
        let result = try CLI.run(["parse", good.path, dir.appendingPathComponent("missing.py").path, binary.path,
                                  dir.path, deep.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("good.py") && result.stdout.contains("f"))
        // Nesting deeper than analyses read is refused with the depth and the line, not outlined.
        #expect(result.stderr.contains("deep.py: the syntax nests 10003 levels deep (at line 1)"))
        #expect(result.stderr.contains("missing.py: no such file"))
        #expect(result.stderr.contains("binary file"))
        #expect(result.stderr.contains("is a directory"))
    }

    @Test func jsonDocumentHasSchemaAndOneEntryPerFile() throws {
        let result = try CLI.run(["parse", "--json", Fixtures.url("cuda/reductions.cu").path, "/nonexistent.py"])
        #expect(result.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "srlens.parse/1")
        let files = try #require(doc["files"] as? [[String: Any]])
        #expect(files.count == 2)
        #expect(files[0]["ok"] as? Bool == true)
        let outline = try #require(files[0]["outline"] as? [String: Any])
        let launches = try #require(outline["launches"] as? [[String: Any]])
        #expect(launches.count == 4)
        #expect(launches[0]["shared_memory"] as? String == "0")
        #expect(files[1]["ok"] as? Bool == false)
        #expect((files[1]["error"] as? String)?.contains("no such file") == true)
    }

    @Test func cleanFileExitsZero() throws {
        let result = try CLI.run(["parse", Fixtures.url("python/embedded_kernels.py").path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("relu_sq_kernel"))
    }
}
