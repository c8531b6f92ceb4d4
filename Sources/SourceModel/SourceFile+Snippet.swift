import Foundation

extension SourceFile {
    /// The first line of a range's text, trimmed and shortened to 120 characters: the code shown with evidence.
    public func snippet(_ range: Range<Int>) -> String {
        let text = text(in: range)
        let first = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? text
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 120 ? String(trimmed.prefix(119)) + "…" : trimmed
    }
}
