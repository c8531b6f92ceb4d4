@testable import RunLogs
import Testing

/// The byte-level number readers must give exactly what `Int(String)` and `Double(String)` give.
@Suite struct ASCIINumberTests {
    static let integers = ["0", "7", "1390", "+10", "-10", "-0", "", "+", "-", "1_000", "12a", " 1", "9223372036854775807",
                           "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "00012"]

    static let decimals = ["3.2785", "10.968871", "204345", "148.08", "0.000001", "-1", "+1", "1e-3", "1E5", "1.e5", ".5", "5.",
                           "-0", "-0.0", "00012", "0.30000000000000004", "9007199254740993", "9007199254740992.5",
                           "123456789012345678901234", "1.7976931348623157e308", "1e400", "-1e400", "4.9e-324", "1e-400",
                           "1e22", "1e23", "3.2e-22", "1e", "1e+", "e5", ".", "+-1", "1.2.3", "3.2.", "--1", "1e5e3", "",
                           "0.0000000000000000000000001", "1e0000000000000000000001"]

    @Test(arguments: integers) func integerIsReadLikeTheStandardLibrary(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(ASCIINumber.integer(bytes, 0..<bytes.count) == Int(text))
    }

    @Test(arguments: decimals) func decimalIsReadLikeTheStandardLibrary(_ text: String) {
        let bytes = Array(text.utf8)
        let read = ASCIINumber.decimal(bytes, 0..<bytes.count)
        #expect(read?.bitPattern == Double(text)?.bitPattern)
    }

    @Test func onlyDecimalCharactersAreNumbers() {
        for text in ["0x1p2", "nan", "inf", "3.2ms", "１２"] {
            let bytes = Array(text.utf8)
            #expect(ASCIINumber.decimal(bytes, 0..<bytes.count) == nil, "\(text)")
        }
    }

    @Test func aRangeInsideALineIsReadAlone() {
        let bytes = Array("val_loss:3.2785 train_time:204345ms".utf8)
        #expect(ASCIINumber.decimal(bytes, 9..<15) == 3.2785)
        #expect(ASCIINumber.integer(bytes, 27..<33) == 204_345)
    }
}
