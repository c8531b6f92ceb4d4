/// Identity of this build, written into every JSON document and stored analysis.
public enum SpeedrunLens {
    public static let version = "0.1.0"
}
