import Foundation
import Testing

@testable import Email

@Suite struct MIMETests {
    @Test func headerLineBreaksBecomeSpaces() {
        #expect(HeaderEncoding.singleLine("a\r\nBcc: x@y") == "a  Bcc: x@y")
    }
}
