import Catalogue
import Engine
import Foundation
import Testing
import TestSupport

@Suite struct CrossLanguageClassifyTests {
    @Test func cudaInPythonStringsIsCreditedAtItsPythonLine() throws {
        let path = Fixtures.url("python/embedded_kernels.py").path
        let report = try #require(ClassifyService().classifyEach([path]).first)
        let relu = try #require(report.detections.first { $0.id == "relu_squared" })
        #expect(relu.evidence.contains { $0.path == path && $0.range.start.line == 12 }, "\(relu.evidence.map(\.range))")
        let softcap = try #require(report.detections.first { $0.id == "logit_softcap" })
        #expect(softcap.evidence.contains { $0.path == path && $0.range.start.line == 23 }, "\(softcap.evidence.map(\.range))")
        #expect(report.techniques.flatMap(\.kernels).map(\.name).sorted() == ["relu_sq_kernel", "scale", "softcap_kernel"])
    }
}
