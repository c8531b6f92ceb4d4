import Foundation
import Testing
import TestSupport

/// `grammars/fetch.sh` refuses a tampered lock and an unreachable registry, leaving existing sources alone.
@Suite struct GrammarFetchTests {
    let scratchRoot = ScratchFolder("srlens-fetch")

    /// A scratch copy of grammars/ with its own lock, and a grammar source that must survive a failed fetch.
    func scratch(lock: String) throws -> URL {
        let dir = try scratchRoot.folder()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("python/src"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent("grammars/fetch.sh"),
                                         to: dir.appendingPathComponent("fetch.sh"))
        try lock.write(to: dir.appendingPathComponent("grammars.lock"), atomically: true, encoding: .utf8)
        try "previous".write(to: dir.appendingPathComponent("python/src/parser.c"), atomically: true, encoding: .utf8)
        return dir
    }

    func run(_ dir: URL, environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [dir.appendingPathComponent("fetch.sh").path]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func unreachableRegistryIsAClearErrorAndChangesNothing() throws {
        let dir = try scratch(lock: "tree-sitter 0.23.2 \(String(repeating: "0", count: 64)) headers\n")
        // Port 9 (discard) on loopback refuses at once: the same failure as a machine without network.
        let (status, message) = try run(dir, environment: ["PIP_INDEX_URL": "http://127.0.0.1:9/simple",
                                                          "PIP_RETRIES": "0", "PIP_TIMEOUT": "2"])
        #expect(status != 0)
        #expect(message.contains("could not download tree-sitter==0.23.2"))
        #expect(message.contains("nothing was changed"))
        let kept = try String(contentsOf: dir.appendingPathComponent("python/src/parser.c"), encoding: .utf8)
        #expect(kept == "previous")
    }

    @Test func hashMismatchIsRefused() throws {
        let dir = try scratch(lock: "tree-sitter 0.23.2 \(String(repeating: "0", count: 64)) headers\n")
        let (status, message) = try run(dir)
        #expect(status != 0)
        if message.contains("could not download") {
            // No registry here: the refusal above is what this machine can show.
            return
        }
        #expect(message.contains("sha256 mismatch for tree-sitter==0.23.2"))
        let kept = try String(contentsOf: dir.appendingPathComponent("python/src/parser.c"), encoding: .utf8)
        #expect(kept == "previous")
    }
}
