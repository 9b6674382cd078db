import Foundation
import Investigation
import Testing

@Suite struct MatchRateRenderingTests {
    @Test func placeholder() {
        #expect(MatchRateRendering.escape("<a>") == "&lt;a&gt;")
    }
}
