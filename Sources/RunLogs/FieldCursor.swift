/// Walks the fields of one line, left to right, without copying anything: each field comes back as the byte
/// positions of its key and value (`FieldSpan`). The rules are `FieldTokenizer`'s.
struct FieldCursor: Sendable {
    /// Where the words not read yet begin.
    private var position: Int
    private let end: Int
    /// The label word that ended the previous field's value: it opens the next field.
    private var pendingLabel: Word?

    private struct Word: Sendable {
        let range: Range<Int>
        /// The colon that ends a label at the start of the word, when the word opens a field.
        let labelColon: Int?
    }

    init(line: Range<Int>) {
        position = line.lowerBound
        end = line.upperBound
    }

    /// The next field of the line, or nil after the last one (or when the line has no label at all).
    mutating func next(in bytes: [UInt8]) -> FieldSpan? {
        var opening = pendingLabel
        var keyStart = opening?.range.lowerBound
        pendingLabel = nil
        // Only at the start of the line: words before the first label are part of its key.
        while opening == nil {
            guard let word = nextWord(in: bytes) else { return nil }
            if keyStart == nil { keyStart = word.range.lowerBound }
            if word.labelColon != nil { opening = word }
        }
        guard let opening, let colon = opening.labelColon, let keyStart else { return nil }
        var value = (colon + 1)..<opening.range.upperBound
        var words = value.isEmpty ? 0 : 1
        while let word = nextWord(in: bytes) {
            if word.labelColon != nil {
                pendingLabel = word
                break
            }
            value = (words == 0 ? word.range.lowerBound : value.lowerBound)..<word.range.upperBound
            words += 1
        }
        return FieldSpan(key: keyStart..<colon, value: value, valueWords: words)
    }

    /// The next word of the line, nil at its end.
    private mutating func nextWord(in bytes: [UInt8]) -> Word? {
        while position < end && ASCII.isWordSeparator(bytes[position]) { position += 1 }
        guard position < end else { return nil }
        let start = position
        var colon: Int?
        while position < end && !ASCII.isWordSeparator(bytes[position]) {
            if colon == nil && bytes[position] == UInt8(ascii: ":") { colon = position }
            position += 1
        }
        guard let colon, FieldTokenizer.isLabel(bytes, start..<colon) else { return Word(range: start..<position, labelColon: nil) }
        return Word(range: start..<position, labelColon: colon)
    }
}
