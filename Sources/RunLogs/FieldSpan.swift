/// Where one `label: value` field of a line lies in the log's bytes, as `FieldCursor` finds it.
struct FieldSpan: Sendable, Equatable {
    /// The label, from the first word before it when it is the line's first label (`peak memory allocated`).
    let key: Range<Int>
    /// From the first word of the value to the end of its last one; empty when nothing follows the colon.
    let value: Range<Int>
    /// The number of words in `value`.
    let valueWords: Int

    /// True when the value is one word (the compact `key:value` style of step lines).
    var isSingleWord: Bool { valueWords == 1 }

    /// The key as text: its words joined by one space.
    func keyText(in bytes: [UInt8]) -> String { Self.joinedWords(bytes, key) }

    /// The value as text: its words joined by one space.
    func valueText(in bytes: [UInt8]) -> String { Self.joinedWords(bytes, value) }

    static func joinedWords(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        var joined: [UInt8] = []
        joined.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            if ASCII.isWordSeparator(bytes[index]) {
                while index < range.upperBound && ASCII.isWordSeparator(bytes[index]) { index += 1 }
                if index < range.upperBound && !joined.isEmpty { joined.append(ASCII.space) }
            } else {
                joined.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: joined, as: UTF8.self)
    }
}
