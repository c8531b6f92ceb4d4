import Engine
import Foundation
import SourceModel
import Testing
import TestSupport

@Suite struct SourceLoaderTests {
    let scratch = ScratchFolder("srlens-loader")
    var dir: URL { scratch.url }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let url = dir.appendingPathComponent(name)
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data(bytes)))
        return url.path
    }

    func error(_ path: String, loader: SourceLoader = SourceLoader()) -> LoadError? {
        if case let .failure(e) = loader.load(path) { return e }
        return nil
    }

    @Test func badInputsGiveClearErrors() {
        #expect(error(dir.appendingPathComponent("missing.py").path).map { "\($0)" }?.hasSuffix("no such file") == true)
        #expect(error(dir.path) == .isDirectory(dir.path))
        let empty = write("empty.py", [])
        #expect(error(empty) == .empty(empty))
        let binary = write("bin.py", [0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01])
        #expect(error(binary) == .binary(binary, offset: 4))
        let latin1 = write("latin.py", Array("x = 1\ny = '".utf8) + [0xE9] + Array("'\n".utf8))
        #expect(error(latin1) == .invalidUTF8(latin1, offset: 11, line: 2))
        let overlong = write("overlong.py", [0x61, 0xC0, 0xAF])
        #expect(error(overlong) == .invalidUTF8(overlong, offset: 1, line: 1))
        let surrogate = write("surrogate.py", [0xED, 0xA0, 0x80])
        #expect(error(surrogate) == .invalidUTF8(surrogate, offset: 0, line: 1))
        let text = write("notes.md", Array("# hi\n".utf8))
        #expect(error(text) == .unsupportedType(text))
    }

    @Test func validUTF8IsAccepted() throws {
        let path = write("utf8.py", Array("s = 'héllo → 𝔵'\n".utf8))
        let file = try SourceLoader().load(path).get()
        #expect(file.language == .python && file.lines.lineCount == 2)
    }

    @Test func fiftyMegabyteFileIsRefusedWithoutReadingIt() {
        let path = dir.appendingPathComponent("big.py").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = FileHandle(forWritingAtPath: path)!
        try? handle.truncate(atOffset: 50 << 20)
        try? handle.close()
        #expect(error(path) == .tooLarge(path, bytes: 50 << 20, limit: 16 << 20))
        #expect(error(path, loader: SourceLoader(maxBytes: 60 << 20)) == .binary(path, offset: 0), "zeros are binary")
    }

    @Test func logWithoutScriptAndLogWithScript() throws {
        let llmc = write("run.log", Array("s:0 trl:10.9\ns:0 tel:10.8\n".utf8))
        #expect(error(llmc).map { "\($0)" }?.contains("does not embed a training script") == true)
        let sep = String(repeating: "=", count: 100)
        let log = write("run.txt", Array("\(sep)\nimport os\nprint(1)\n\(sep)\nstep:0/10 val_loss:10.0\n".utf8))
        let file = try SourceLoader().load(log).get()
        #expect(file.text == "import os\nprint(1)\n")
        #expect(file.origin == .logScript(logPath: log, baseOffset: 101, baseLine: 1))
    }
}
