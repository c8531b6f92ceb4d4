import Engine
import Foundation
import Testing
import TestSupport

@Suite struct ConfigurationTests {
    let scratch = ScratchFolder("srlens-config")

    func temporaryDirectory() throws -> URL { try scratch.folder() }

    @Test func defaultsUnderTheDataDirectory() throws {
        let dir = try temporaryDirectory()
        let configuration = try Configuration.resolve(environment: ["HOME": "/home/u"], directory: dir.path)
        #expect(configuration.dataDirectory == "/home/u/.local/share/srlens")
        #expect(configuration.recordsPath == "/home/u/.local/share/srlens/records")
        #expect(configuration.recordsOrigin == "default")
        let xdg = try Configuration.resolve(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "/data"], directory: dir.path)
        #expect(xdg.recordsPath == "/data/srlens/records")
    }

    @Test func workspaceFileIsFoundUpwardsAndResolvedRelativeToItself() throws {
        let dir = try temporaryDirectory()
        let nested = dir.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try Data(#"{"task": 4, "records": "recs", "database": "/tmp/x.db"}"#.utf8).write(to: dir.appendingPathComponent(".srlens.json"))
        let configuration = try Configuration.resolve(environment: ["HOME": "/home/u"], directory: nested.path)
        #expect(configuration.task == 4)
        #expect(configuration.recordsPath?.hasSuffix("/recs") == true)
        #expect(configuration.recordsOrigin.hasSuffix(".srlens.json"))
        #expect(configuration.databasePath == "/tmp/x.db")
    }

    @Test func environmentBeatsTheFileAndTheFlagBeatsBoth() throws {
        let dir = try temporaryDirectory()
        try Data(#"{"records": "recs"}"#.utf8).write(to: dir.appendingPathComponent(".srlens.json"))
        let env = try Configuration.resolve(environment: ["HOME": "/h", "SRLENS_RECORDS": "/env"], directory: dir.path)
        #expect(env.recordsPath == "/env" && env.recordsOrigin == "SRLENS_RECORDS")
        let flag = try Configuration.resolve(recordsFlag: "/flag", environment: ["HOME": "/h", "SRLENS_RECORDS": "/env"], directory: dir.path)
        #expect(flag.recordsPath == "/flag" && flag.recordsOrigin == "--records")
    }

    @Test func invalidWorkspaceFileIsAClearError() throws {
        let dir = try temporaryDirectory()
        try Data("{ not json".utf8).write(to: dir.appendingPathComponent(".srlens.json"))
        #expect {
            try Configuration.resolve(environment: ["HOME": "/h"], directory: dir.path)
        } throws: { error in
            "\(error)".contains(".srlens.json") && "\(error)".contains("not a valid")
        }
    }
}
