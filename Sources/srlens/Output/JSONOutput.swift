import Foundation

/// JSON as every `--json` output writes it: snake_case keys, sorted, pretty-printed, one document per run.
enum JSONOutput {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Compact, one object per line (JSON Lines).
    static func lineEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func write<T: Encodable>(_ value: T) throws {
        var data = try encoder().encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
