/// Reads run metrics from a file's bytes: a modded-nanogpt log, an llm.c log, or a `results.json`.
/// The format is recognized from the content; see `docs/run-logs.md`.
public enum RunLogParser {
    /// Parses `bytes`. `target` is the validation loss a run must reach (the benchmark's 3.28 by default).
    public static func parse(_ bytes: [UInt8], target: Double = RunMetrics.defaultTarget) throws(RunLogError) -> ParsedRunLog {
        guard target.isFinite else { throw .invalidTarget(target) }
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard let first = bytes[start...].firstIndex(where: { !isSpace($0) }) else { throw .empty }
        if let nul = bytes.firstIndex(of: 0) { throw .binary(offset: nul) }
        if bytes[first] == UInt8(ascii: "{") {
            return try ResultsFile.parse(bytes, target: target)
        }
        var scanner = LogScanner(bytes: bytes, start: start, target: target)
        return try scanner.scan()
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
