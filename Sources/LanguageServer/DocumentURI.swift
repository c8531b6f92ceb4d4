import Foundation

/// `file://` URIs and paths.
public enum DocumentURI {
    /// The file path of a `file:` URI (percent-decoded), or nil for other schemes.
    public static func path(of uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.path
    }

    /// The `file:` URI of a path.
    public static func uri(of path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}
