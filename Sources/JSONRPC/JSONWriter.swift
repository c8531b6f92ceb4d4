/// Writes a ``JSONValue`` as compact UTF-8 JSON text, without recursion.
///
/// Object keys are written in sorted order so the same value always gives the same bytes. Strings escape only
/// what JSON requires (`"`, `\` and control characters); non-ASCII text is written as UTF-8. A `Double` that is
/// NaN or infinite has no JSON form and is written as `null`.
public enum JSONWriter {
    /// The JSON text of `value`.
    public static func bytes(of value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        write(value, into: &output)
        return output
    }

    /// Appends the JSON text of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8]) {
        /// A container whose members are being written; `next` is the index of the member to write next.
        enum Pending {
            case array([JSONValue], next: Int)
            case object([(key: String, value: JSONValue)], next: Int)
        }
        var stack: [Pending] = []
        var current: JSONValue? = value

        while true {
            if let value = current {
                current = nil
                switch value {
                case .null: output.append(contentsOf: "null".utf8)
                case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
                case .int(let number): output.append(contentsOf: String(number).utf8)
                case .double(let number): writeDouble(number, into: &output)
                case .string(let text): writeString(text, into: &output)
                case .array(let elements):
                    output.append(UInt8(ascii: "["))
                    stack.append(.array(elements, next: 0))
                case .object(let members):
                    output.append(UInt8(ascii: "{"))
                    let sorted = members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
                    stack.append(.object(sorted, next: 0))
                }
            }
            // Pick the next member of the innermost open container, closing finished ones.
            guard let top = stack.popLast() else { return }
            switch top {
            case .array(let elements, let next):
                if next == elements.count {
                    output.append(UInt8(ascii: "]"))
                } else {
                    if next > 0 { output.append(UInt8(ascii: ",")) }
                    current = elements[next]
                    stack.append(.array(elements, next: next + 1))
                }
            case .object(let members, let next):
                if next == members.count {
                    output.append(UInt8(ascii: "}"))
                } else {
                    if next > 0 { output.append(UInt8(ascii: ",")) }
                    writeString(members[next].key, into: &output)
                    output.append(UInt8(ascii: ":"))
                    current = members[next].value
                    stack.append(.object(members, next: next + 1))
                }
            }
        }
    }

    static func writeDouble(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        // Swift prints the shortest text that reads back as the same Double ("0.1", "1e-07", "1e+16"), all valid JSON.
        output.append(contentsOf: number.description.utf8)
    }

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: #"\u00"#.utf8)
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0F)])
                default: output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
