/// Splits a log line into `label: value` fields.
///
/// A line is a sequence of words separated by spaces or tabs. A word that contains a colon after a label
/// (an ASCII letter or `_`, then letters, digits, `_` or `-`) starts a field: the part before the colon is the
/// label, the part after it is the first word of the value. Words that follow, up to the next such word, are
/// further words of the value. Words before the first label are part of that label.
///
///     step:1390/1390 val_loss:3.2785 train_time:204345ms   -> step=1390/1390, val_loss=3.2785, train_time=204345ms
///     s:19559 trl:3.2217 lr:0.000000 norm:0.22             -> s=19559, trl=3.2217, lr=0.000000, norm=0.22
///     peak memory allocated: 29148 MiB reserved: 44818 MiB -> "peak memory allocated"="29148 MiB", reserved="44818 MiB"
///
/// A line without any label has no fields. The tokenizer knows no field names; `StepLine` and `PeakMemory`
/// interpret them. Lines are read as bytes: the parser walks them with `FieldCursor`, which gives byte
/// positions and copies nothing; `fields(of:)` is the same reading as text.
public enum FieldTokenizer {
    public static func fields(of line: Substring) -> [LogField] {
        let bytes = Array(line.utf8)
        var cursor = FieldCursor(line: 0..<bytes.count)
        var fields: [LogField] = []
        while let field = cursor.next(in: bytes) {
            fields.append(LogField(key: field.keyText(in: bytes), value: field.valueText(in: bytes)))
        }
        return fields
    }

    /// Whether `bytes[range]` is a label: an ASCII letter or `_`, then letters, digits, `_` or `-`.
    static func isLabel(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard let first = range.first, ASCII.isLetter(bytes[first]) || bytes[first] == UInt8(ascii: "_") else { return false }
        for index in range.dropFirst() {
            let byte = bytes[index]
            guard ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") else {
                return false
            }
        }
        return true
    }
}
