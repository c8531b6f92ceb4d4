import Testing
@Test func placeholderParsing() { #expect(Bool(true)) }
