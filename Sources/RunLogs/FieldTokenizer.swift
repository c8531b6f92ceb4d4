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
/// A line without any label has no fields. The tokenizer knows no field names; `LogLine` interprets them.
public enum FieldTokenizer {
    public static func fields(of line: Substring) -> [LogField] {
        var fields: [LogField] = []
        var leading: [Substring] = []
        var key: String?
        var valueWords: [Substring] = []

        func close() {
            if let key { fields.append(LogField(key: key, value: valueWords.joined(separator: " "))) }
        }

        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if let colon = labelColon(in: word) {
                close()
                let label = word[word.startIndex..<colon]
                key = key == nil && !leading.isEmpty ? (leading + [label]).joined(separator: " ") : String(label)
                let rest = word[word.index(after: colon)...]
                valueWords = rest.isEmpty ? [] : [rest]
            } else if key != nil {
                valueWords.append(word)
            } else {
                leading.append(word)
            }
        }
        close()
        return fields
    }

    /// The index of the colon that ends a label at the start of `word`, if `word` starts with one.
    static func labelColon(in word: Substring) -> Substring.Index? {
        guard let colon = word.firstIndex(of: ":"), colon > word.startIndex else { return nil }
        var first = true
        for scalar in word[word.startIndex..<colon].unicodeScalars {
            let isLetter = isASCIILetter(scalar)
            let ok = first ? (isLetter || scalar == "_")
                           : (isLetter || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
            if !ok { return nil }
            first = false
        }
        return colon
    }

    static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
}
