import CLibXML2
import Foundation

/// Validates XML against an XML Schema with libxml2 (`xmlSchemaValidateDoc`).
///
/// Used by the tests to prove every JUnit report is valid against the schema CI systems
/// accept (`junit-10.xsd`); usable by anyone who wants to check a report before uploading it.
public struct XMLSchemaValidator: Sendable {
    /// Path of the `.xsd` file.
    public var schemaPath: String

    /// Creates a validator for the schema at `schemaPath`.
    public init(schemaPath: String) {
        self.schemaPath = schemaPath
    }

    /// The validation errors of `xml`, one line each ("line 12: Element 'testsuite': …");
    /// empty when the document is valid.
    public func errors(in xml: Data) throws -> [String] {
        xmlInitParser()
        let collector = ErrorCollector()
        let userData = Unmanaged.passUnretained(collector).toOpaque()
        let handler: xmlStructuredErrorFunc = { userData, error in
            guard let userData, let error else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(userData).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            collector.messages.append("line \(error.pointee.line): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }

        guard let parserContext = xmlSchemaNewParserCtxt(schemaPath) else {
            throw ReportError.schema(path: schemaPath, reason: "cannot create a parser context")
        }
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        xmlSchemaSetParserStructuredErrors(parserContext, handler, userData)
        guard let schema = xmlSchemaParse(parserContext) else {
            throw ReportError.schema(path: schemaPath, reason: collector.messages.joined(separator: "; "))
        }
        defer { xmlSchemaFree(schema) }

        guard let validContext = xmlSchemaNewValidCtxt(schema) else {
            throw ReportError.schema(path: schemaPath, reason: "cannot create a validation context")
        }
        defer { xmlSchemaFreeValidCtxt(validContext) }
        xmlSchemaSetValidStructuredErrors(validContext, handler, userData)

        let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = xml.withUnsafeBytes { bytes -> xmlDocPtr? in
            guard let base = bytes.baseAddress else { return nil }
            return xmlReadMemory(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), "report.xml", "UTF-8", parseOptions)
        }
        guard let document else {
            let lastError = xmlGetLastError().flatMap { $0.pointee.message.map { String(cString: $0) } }
            return ["not well-formed XML: \((lastError ?? "unknown error").trimmingCharacters(in: .whitespacesAndNewlines))"]
        }
        defer { xmlFreeDoc(document) }
        let result = xmlSchemaValidateDoc(validContext, document)
        withExtendedLifetime(collector) {}
        if result != 0, collector.messages.isEmpty { return ["validation failed with code \(result)"] }
        return collector.messages
    }
}

/// Collects libxml2's structured errors during one validation (a class: the C callback gets
/// a pointer to it). Used only by the thread running `errors(in:)`.
private final class ErrorCollector {
    var messages: [String] = []
}
