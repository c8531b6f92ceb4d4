/// Finds the training script a modded-nanogpt run printed at start-up inside its log.
///
/// Such a log begins with the script (sometimes after a line of `=` characters), and a line of `=`
/// characters closes it before `nvidia-smi` output and the training lines. The script is returned as a byte
/// range of the log, so positions inside it map back to the log by adding its lower bound.
public enum EmbeddedScript {
    /// A separator is a line of at least this many `=` and nothing else.
    static let separatorMinimum = 20

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No separator line: this is not a log that prints its script (llm.c logs, for example).
        case noSeparator
        /// A separator was found, but nothing before or between separators.
        case emptyScript

        public var description: String {
            switch self {
            case .noSeparator: "the log does not embed a training script (no line of '=' closes one)"
            case .emptyScript: "the log's script section is empty"
            }
        }
    }

    /// The byte range of the embedded script in `log`.
    public static func range(in log: [UInt8]) -> Result<Range<Int>, Failure> {
        range(in: log, within: 0..<log.count)
    }

    /// The byte range of the embedded script in the part `window` of `log` (one run of a file that holds
    /// several). `window` should start at the beginning of a line; the result is in positions of `log`.
    public static func range(in log: [UInt8], within window: Range<Int>) -> Result<Range<Int>, Failure> {
        let window = window.clamped(to: 0..<log.count)
        var lineStart = window.lowerBound
        var scriptStart: Int?
        var firstLine = true
        while lineStart <= window.upperBound {
            var lineEnd = lineStart
            while lineEnd < window.upperBound && log[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd + 1
            if isSeparator(log, lineStart..<lineEnd) {
                if firstLine && scriptStart == nil {
                    scriptStart = min(next, window.upperBound)
                } else {
                    let start = scriptStart ?? window.lowerBound
                    return lineStart > start ? .success(start..<lineStart) : .failure(.emptyScript)
                }
            } else if firstLine {
                scriptStart = lineStart
            }
            firstLine = false
            if lineEnd >= window.upperBound { break }
            lineStart = next
        }
        return .failure(.noSeparator)
    }

    /// Whether `bytes[line]` is a separator line (trailing spaces and carriage returns allowed).
    static func isSeparator(_ bytes: [UInt8], _ line: Range<Int>) -> Bool {
        guard let first = line.first, bytes[first] == UInt8(ascii: "=") else { return false }
        var end = line.upperBound
        while end > first, bytes[end - 1] == ASCII.carriageReturn || bytes[end - 1] == ASCII.space { end -= 1 }
        return end - first >= separatorMinimum && !bytes[first..<end].contains { $0 != UInt8(ascii: "=") }
    }
}
