/// Dotted names (`torch.nn.functional.relu`, `self.attn.c_q`) read without splitting them into arrays: the hot
/// paths of the analyses ask only for the last component.
extension String {
    /// The part after the last dot, or the whole name when it has none (`"torch.square"` -> `"square"`).
    public var lastDottedComponent: String {
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return self }
        return String(self[index(after: dot)...])
    }
}
