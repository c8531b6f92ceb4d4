import Foundation

/// Runs the built `srlens` binary (from `SRLENS_BIN`, or `.build/debug/srlens`).
public enum CLI {
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SRLENS_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/srlens")
    }

    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs srlens with `arguments`; standard output and error are captured in full.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
