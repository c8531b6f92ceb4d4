/// Applies an edit script in the form `diff -e` writes (`12a`, `3,5c`, `7d`, inserted lines ended by a lone `.`,
/// commands listed from the end of the file up, so each applies to the original line numbers). Fixtures that
/// modify a corpus record keep only this script: what they add, never the record's own lines.
public enum EditScript {
    public struct Malformed: Error, CustomStringConvertible {
        public let line: Int
        public let text: String
        public var description: String { "edit script line \(line): cannot read `\(text)`" }
    }

    public static func apply(_ script: String, to base: String) throws -> String {
        var lines = base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let commands = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < commands.count {
            let command = commands[index]
            index += 1
            if command.isEmpty { continue }
            guard let op = command.last, "acd".contains(op) else { throw Malformed(line: index, text: command) }
            let numbers = command.dropLast().split(separator: ",").compactMap { Int($0) }
            guard (1...2).contains(numbers.count), let first = numbers.first, let last = numbers.last,
                  first <= last, last <= lines.count || (op == "a" && first == 0) else { throw Malformed(line: index, text: command) }
            var text: [String] = []
            if op != "d" {
                while index < commands.count, commands[index] != "." { text.append(commands[index]); index += 1 }
                guard index < commands.count else { throw Malformed(line: index, text: "missing `.` after \(command)") }
                index += 1
            }
            switch op {
            case "a": lines.insert(contentsOf: text, at: first)
            case "c": lines.replaceSubrange((first - 1)..<last, with: text)
            default: lines.removeSubrange((first - 1)..<last)
            }
        }
        return lines.joined(separator: "\n")
    }
}
