import CLibXML2
import Foundation

/// libxml2's `xmlTextWriter` writing into memory: the only place reckon makes XML.
///
/// A class because it owns two C resources (the writer and its buffer), freed in `deinit`.
/// Every string goes through `ReportText.xmlSafe` first; libxml2 then does all escaping.
final class XMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: OpaquePointer

    /// Creates a writer indenting nested elements by two spaces.
    init() throws {
        xmlInitParser()
        guard let buffer = xmlBufferCreate() else { throw ReportError.xmlWriter(operation: "xmlBufferCreate") }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw ReportError.xmlWriter(operation: "xmlNewTextWriterMemory")
        }
        self.buffer = buffer
        self.writer = writer
        xmlTextWriterSetIndent(writer, 1)
        _ = Self.withXMLString("  ") { xmlTextWriterSetIndentString(writer, $0) }
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    /// Writes the XML declaration (version 1.0, UTF-8).
    func startDocument() throws {
        try check("xmlTextWriterStartDocument", xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    /// Opens an element.
    func startElement(_ name: String) throws {
        try check("xmlTextWriterStartElement", Self.withXMLString(name) { xmlTextWriterStartElement(writer, $0) })
    }

    /// Adds an attribute to the element just opened.
    func attribute(_ name: String, _ value: String) throws {
        let result = Self.withXMLString(name) { name in
            Self.withXMLString(ReportText.xmlSafe(value)) { xmlTextWriterWriteAttribute(writer, name, $0) }
        }
        try check("xmlTextWriterWriteAttribute", result)
    }

    /// Writes text content, escaped by libxml2.
    func text(_ value: String) throws {
        try check("xmlTextWriterWriteString", Self.withXMLString(ReportText.xmlSafe(value)) { xmlTextWriterWriteString(writer, $0) })
    }

    /// Closes the innermost open element.
    func endElement() throws {
        try check("xmlTextWriterEndElement", xmlTextWriterEndElement(writer))
    }

    /// `<name attributes…>text</name>`.
    func element(_ name: String, attributes: KeyValuePairs<String, String> = [:], text: String? = nil) throws {
        try startElement(name)
        for (key, value) in attributes { try attribute(key, value) }
        if let text { try self.text(text) }
        try endElement()
    }

    /// Closes every open element and returns the document's bytes.
    func finish() throws -> Data {
        try check("xmlTextWriterEndDocument", xmlTextWriterEndDocument(writer))
        try check("xmlTextWriterFlush", xmlTextWriterFlush(writer))
        guard let content = xmlBufferContent(buffer) else { return Data() }
        return Data(bytes: content, count: Int(xmlBufferLength(buffer)))
    }

    private func check(_ operation: String, _ result: Int32) throws {
        if result < 0 { throw ReportError.xmlWriter(operation: operation) }
    }

    /// Calls `body` with `text` as a NUL-terminated `xmlChar` string. `text` holds no NUL:
    /// `ReportText.xmlSafe` turned it into "␀".
    private static func withXMLString<Result>(_ text: String, _ body: (UnsafePointer<xmlChar>) -> Result) -> Result {
        text.withCString { pointer in
            pointer.withMemoryRebound(to: xmlChar.self, capacity: strlen(pointer) + 1) { body($0) }
        }
    }
}
