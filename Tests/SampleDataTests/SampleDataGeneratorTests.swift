import Foundation
import Testing

@testable import SampleData

/// Generated rows of every table at a small scale, shared by the tests (read-only).
struct SampleRows: Sendable {
    let tables: [SampleTable: [[String?]]]

    static let small = SampleRows(sessions: 5_000, seed: 20_261_031)

    init(sessions: Int, seed: UInt64) {
        let generator = SampleDataGenerator(sessions: sessions, seed: seed)
        var tables: [SampleTable: [[String?]]] = [:]
        for table in SampleTable.allCases {
            var sink = CollectingSink()
            do {
                try generator.writeRows(of: table, into: &sink)
            } catch {
                Issue.record("writing \(table.name) failed: \(error)")
            }
            tables[table] = sink.rows
        }
        self.tables = tables
    }

    subscript(table: SampleTable) -> [[String?]] { tables[table] ?? [] }

    /// The values of one column (by position) of a table.
    func column(_ table: SampleTable, _ position: Int) -> [String?] {
        self[table].map { $0[position] }
    }
}

/// Checksums of every table for a seed.
func checksums(sessions: Int, seed: UInt64) throws -> [String: UInt64] {
    let generator = SampleDataGenerator(sessions: sessions, seed: seed)
    var result: [String: UInt64] = [:]
    for table in SampleTable.allCases {
        var sink = ChecksumSink()
        try generator.writeRows(of: table, into: &sink)
        result[table.name] = sink.checksum
    }
    return result
}

@Suite("Determinism")
struct DeterminismTests {
    @Test("the same seed and size give byte-identical tables")
    func sameSeedSameRows() throws {
        let first = try checksums(sessions: 1_000, seed: 42)
        let second = try checksums(sessions: 1_000, seed: 42)
        #expect(first == second)
    }

    @Test("a different seed changes every table")
    func differentSeedDifferentRows() throws {
        let first = try checksums(sessions: 1_000, seed: 42)
        let second = try checksums(sessions: 1_000, seed: 43)
        for table in SampleTable.allCases where table != .funnelfoxFunnels {
            #expect(first[table.name] != second[table.name], "\(table.name) did not change with the seed")
        }
    }

    @Test("event streams over session ranges make up exactly the whole events table")
    func eventStreamsPartitionTheTable() throws {
        let world = SampleWorld(seed: 5, sessionCount: 600)
        var whole = ChecksumSink()
        try world.writeEvents(ofSessions: 0..<600, into: &whole)
        var parts = ChecksumSink()
        try world.writeEvents(ofSessions: 0..<250, into: &parts)
        try world.writeEvents(ofSessions: 250..<600, into: &parts)
        #expect(whole.rows == parts.rows)
        #expect(whole.checksum == parts.checksum)
    }
}

@Suite("Shape of the tables")
struct ShapeTests {
    @Test("every table has rows with the column count of its DDL", arguments: SampleTable.allCases)
    func columnCounts(table: SampleTable) throws {
        let rows = SampleRows.small[table]
        #expect(!rows.isEmpty)
        let ddl = try #require(RawSchema.tables.first { $0.name == table.name }?.ddl)
        let statements = try RawTableStatements(qualifiedName: "raw.\(table.name)", ddl: ddl)
        let body = statements.create.replacingOccurrences(of: "(14,2)", with: "").drop { $0 != "(" }.dropFirst().dropLast()
        let columnCount = body.split(separator: ",").count
        let widths = Set(rows.map(\.count))
        #expect(widths == [columnCount])
    }

    @Test(
        "primary keys are unique",
        arguments: [
            (SampleTable.facebookCampaigns, [0]), (.facebookAdSets, [0]), (.facebookAds, [0]),
            (.facebookAdStatistics, [0, 1]), (.funnelfoxFunnels, [0]), (.funnelfoxSessions, [0]),
            (.funnelfoxSubscriptions, [0]), (.stripeSubscriptions, [0]), (.stripePayments, [0]),
            (.stripeRefunds, [0]), (.stripeBalanceTransactions, [0]),
        ])
    func uniqueKeys(table: SampleTable, key: [Int]) {
        let rows = SampleRows.small[table]
        let keys = rows.map { row in key.map { row[$0] ?? "<null>" }.joined(separator: "|") }
        #expect(Set(keys).count == keys.count, "\(table.name) has duplicate keys")
    }

    @Test("the primary key is split from the DDL for a fast load", arguments: RawSchema.tables.map(\.name))
    func primaryKeySplit(name: String) throws {
        let ddl = try #require(RawSchema.tables.first { $0.name == name }?.ddl)
        let statements = try RawTableStatements(qualifiedName: "\"raw\".\(name)", ddl: ddl)
        #expect(!statements.create.contains("primary key"))
        let expected: String? =
            switch name {
            case "amplitude_events": nil
            case "facebook_ad_statistics": "alter table \"raw\".facebook_ad_statistics add primary key (date, facebook_ad_id)"
            case "facebook_campaigns": "alter table \"raw\".facebook_campaigns add primary key (facebook_campaign_id)"
            case "facebook_adsets": "alter table \"raw\".facebook_adsets add primary key (facebook_adset_id)"
            case "facebook_ads": "alter table \"raw\".facebook_ads add primary key (facebook_ad_id)"
            default: "alter table \"raw\".\(name) add primary key (id)"
            }
        #expect(statements.primaryKey == expected)
    }

    @Test("about 8% of sessions convert and events average 10 to 20 per session")
    func volumes() {
        let sessions = SampleRows.small[.funnelfoxSessions].count
        #expect(sessions == 5_000)
        let converted = Set(SampleRows.small.column(.funnelfoxSubscriptions, 1).compactMap { $0 }).count
        let rate = Double(converted) / Double(sessions)
        #expect(rate > 0.06 && rate < 0.10, "conversion rate \(rate)")
        let events = Double(SampleRows.small[.amplitudeEvents].count) / Double(sessions)
        #expect(events > 10 && events < 20, "events per session \(events)")
    }

    @Test("sessions follow a weekly rhythm over 90 days ending 2026-10-31")
    func calendar() {
        let days = SampleRows.small.column(.funnelfoxSessions, 9).compactMap { $0?.prefix(10) }
        #expect(days.min() == "2026-08-03")
        #expect(days.max() == "2026-10-31")
        #expect(Set(days).count == 90)
    }
}

/// Parameters of an origin, roughly as docs/mart.md reads them (keys lower-cased, values decoded
/// as bytes, invalid UTF-8 replaced); enough to assert that a case is present.
func parameters(of origin: String) -> [(key: String, value: String)] {
    var query = ""
    if let question = origin.firstIndex(of: "?") {
        let rest = origin[origin.index(after: question)...]
        query = String(rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if let hash = origin.firstIndex(of: "#"), hash < question {
            query = String(rest)
        }
    } else if !origin.contains("/"), origin.contains("=") {
        query = origin
    }
    return query.split(separator: "&").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let key = decode(String(parts[0])).lowercased()
        return (key, parts.count > 1 ? decode(String(parts[1])) : "")
    }
}

func decode(_ text: String) -> String {
    var bytes: [UInt8] = []
    let source = Array(text.replacingOccurrences(of: "+", with: " ").utf8)
    var index = 0
    while index < source.count {
        if source[index] == UInt8(ascii: "%"), index + 2 < source.count + 0,
            let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            index += 3
        } else {
            bytes.append(source[index])
            index += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// One irregularity the mart must handle, and how to spot it in the generated rows.
struct MessyCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// The minimum number of occurrences at 5,000 sessions.
    let minimum: Int
    let count: @Sendable (SampleRows) -> Int

    var testDescription: String { name }

    static func origins(_ name: String, minimum: Int = 3, _ predicate: @escaping @Sendable (String) -> Bool) -> MessyCase {
        MessyCase(name: name, minimum: minimum) { rows in
            rows.column(.funnelfoxSessions, 4).compactMap { $0 }.filter(predicate).count
        }
    }

    static func parameter(_ name: String, minimum: Int = 3, _ predicate: @escaping @Sendable ([(key: String, value: String)]) -> Bool)
        -> MessyCase
    {
        origins(name, minimum: minimum) { predicate(parameters(of: $0)) }
    }

    static func events(_ name: String, minimum: Int = 3, _ predicate: @escaping @Sendable (String) -> Bool) -> MessyCase {
        MessyCase(name: name, minimum: minimum) { rows in
            rows.column(.amplitudeEvents, 10).compactMap { $0 }.filter(predicate).count
        }
    }

    static func rows(_ name: String, _ table: SampleTable, minimum: Int = 1, _ predicate: @escaping @Sendable ([String?]) -> Bool)
        -> MessyCase
    {
        MessyCase(name: name, minimum: minimum) { rows in rows[table].filter(predicate).count }
    }

    static let all: [MessyCase] = [
        origins("percent-encoded values") { $0.contains("%20") || $0.contains("%7C") },
        origins("percent-encoded keys") { $0.contains("utm%5Fsource") },
        origins("plus for space") { $0.contains("+%7C+") },
        parameter("repeated parameters") { parameters in
            let keys = parameters.map(\.key)
            return Set(keys).count < keys.count
        },
        origins("upper-case keys") { $0.contains("UTM_Source=") },
        origins("parameters in a fragment") { $0.contains("/#/") && $0.contains("utm_source=") },
        origins("bare parameters") { $0.hasPrefix("utm_source=") },
        origins("invalid UTF-8") { $0.contains("%E9") },
        origins("percent-encoded NUL") { $0.contains("%00") },
        parameter("unreplaced ad id macro") { $0.contains { $0.value.contains("{{ad.id}}") } },
        parameter("unreplaced campaign macro with spaces") { $0.contains { $0.value == "{{ campaign.name }}" } },
        origins("empty origins") { $0.isEmpty },
        MessyCase(name: "NULL origins", minimum: 10) { rows in rows.column(.funnelfoxSessions, 4).filter { $0 == nil }.count },
        origins("garbage origins") {
            !$0.isEmpty && !$0.contains("utm_") && !$0.hasPrefix("https://get.") && !$0.hasPrefix("https://fitquiz.")
        },
        parameter("h_ad_id instead of ad_id") { parameters in
            parameters.contains { $0.key == "h_ad_id" } && !parameters.contains { $0.key == "ad_id" }
        },
        parameter("values padded with spaces") { $0.contains { $0.value.hasPrefix(" ") } },
        parameter("gclid traffic") { $0.contains { $0.key == "gclid" } },
        parameter("ttclid traffic") { $0.contains { $0.key == "ttclid" } },
        parameter("fbclid-only traffic") { $0.count == 1 && $0[0].key == "fbclid" },
        parameter("google traffic") { $0.contains { $0.key == "utm_source" && $0.value == "google" } },
        parameter("tiktok traffic") { $0.contains { $0.key == "utm_source" && $0.value.lowercased() == "tiktok" } },
        parameter("email traffic") { $0.contains { $0.key == "utm_medium" && $0.value.lowercased() == "email" } },
        parameter("referral traffic") { $0.contains { $0.key == "utm_source" && $0.value == "reddit" } },
        origins("organic traffic without parameters", minimum: 20) { !$0.contains("?") && $0.hasPrefix("https://") },
        origins("origins of thousands of characters") { $0.utf8.count > 2_000 },
        events("events without ff_session_id", minimum: 5_000) { !$0.contains("ff_session_id") },
        events("ff_session_id as a JSON number") { $0.range(of: #""ff_session_id":[0-9]"#, options: .regularExpression) != nil },
        events("ff_session_id as a JSON object") { $0.contains(#""ff_session_id":{"#) },
        MessyCase(name: "ff_session_id naming no session", minimum: 3) { rows in
            let sessionIds = Set(rows.column(.funnelfoxSessions, 0).compactMap { $0 })
            return rows.column(.amplitudeEvents, 10).compactMap { properties -> String? in
                guard let properties, let range = properties.range(of: #""ff_session_id":""#) else { return nil }
                return String(properties[range.upperBound...].prefix(36))
            }.filter { !sessionIds.contains($0) }.count
        },
        MessyCase(name: "duplicate events (same uuid twice)", minimum: 50) { rows in
            let uuids = rows.column(.amplitudeEvents, 0).compactMap { $0 }
            return uuids.count - Set(uuids).count
        },
        MessyCase(name: "duplicate campaign names", minimum: 3) { rows in
            let names = rows.column(.facebookCampaigns, 1).compactMap { $0?.lowercased().trimmingSpaces }
            return names.count - Set(names).count
        },
        MessyCase(name: "ad names shared across ad sets and campaigns", minimum: 100) { rows in
            let names = rows.column(.facebookAds, 3).compactMap { $0 }
            return names.count - Set(names).count
        },
        MessyCase(name: "campaigns created after sessions reference them", minimum: 1) { rows in
            let firstSession = rows.column(.funnelfoxSessions, 9).compactMap { $0 }.min() ?? ""
            return rows.column(.facebookCampaigns, 5).compactMap { $0 }.filter { $0 > firstSession }.count
        },
        rows("campaign names with emoji", .facebookCampaigns) { $0[1]?.contains("🔥") == true },
        rows("campaign names with <script>", .facebookCampaigns) { $0[1]?.contains("<script>") == true },
        rows("campaign names with quotes", .facebookCampaigns) { $0[1]?.contains("\"") == true },
        MessyCase(name: "statistics of ads missing from facebook_ads", minimum: 10) { rows in
            let ads = Set(rows.column(.facebookAds, 0).compactMap { $0 })
            return rows.column(.facebookAdStatistics, 1).filter { !ads.contains($0 ?? "") }.count
        },
        MessyCase(name: "renamed campaigns on statistics", minimum: 1) { rows in
            let current = Set(rows.column(.facebookCampaigns, 1).compactMap { $0 })
            return rows.column(.facebookAdStatistics, 4).filter { !current.contains($0 ?? "") }.count
        },
        rows("subscriptions without session", .funnelfoxSubscriptions, minimum: 5) { $0[1] == nil },
        rows("sandbox subscriptions", .funnelfoxSubscriptions, minimum: 3) { $0[6] == "t" },
        rows("other payment providers", .funnelfoxSubscriptions, minimum: 2) { $0[4] == "paypal" },
        MessyCase(name: "the same psp_id recorded twice", minimum: 1) { rows in
            let ids = rows.column(.funnelfoxSubscriptions, 3).compactMap { $0 }
            return ids.count - Set(ids).count
        },
        MessyCase(name: "failed then succeeded charges", minimum: 5) { rows in
            var lastFailed: [String: Bool] = [:]
            var count = 0
            for row in rows[.stripePayments] {
                let subscription = row[1] ?? ""
                if lastFailed[subscription] == true, row[5] == "succeeded" { count += 1 }
                lastFailed[subscription] = row[5] == "failed"
            }
            return count
        },
        rows("pending charges", .stripePayments, minimum: 3) { $0[5] == "pending" },
        rows("one-off charges without subscription", .stripePayments, minimum: 2) { $0[1] == nil },
        MessyCase(name: "renewals (several succeeded charges of one subscription)", minimum: 20) { rows in
            var succeeded: [String: Int] = [:]
            for row in rows[.stripePayments] where row[5] == "succeeded" { succeeded[row[1] ?? "", default: 0] += 1 }
            return succeeded.values.filter { $0 > 1 }.count
        },
        MessyCase(name: "partial refunds", minimum: 1) { rows in
            let amounts = Dictionary(
                rows[.stripePayments].map { ($0[0] ?? "", Int($0[3] ?? "") ?? 0) }, uniquingKeysWith: { first, _ in first })
            return rows[.stripeRefunds].filter { Int($0[2] ?? "") ?? 0 < amounts[$0[1] ?? ""] ?? 0 }.count
        },
        rows("full refunds", .stripeRefunds, minimum: 3) { _ in true },
        rows("JPY charges", .stripePayments, minimum: 5) { $0[4] == "jpy" },
        rows("EUR charges", .stripePayments, minimum: 5) { $0[4] == "eur" },
        rows("exchange rates on non-USD settlements", .stripeBalanceTransactions, minimum: 10) { $0[7] != nil },
        rows("refund settlements", .stripeBalanceTransactions, minimum: 3) { $0[2] == "refund" && ($0[3]?.hasPrefix("-") ?? false) },
        rows("canceled subscriptions", .stripeSubscriptions, minimum: 3) { $0[2] == "canceled" },
        rows("trialing subscriptions", .stripeSubscriptions, minimum: 3) { $0[2] == "trialing" },
        rows("sessions of a deleted funnel", .funnelfoxSessions, minimum: 1) { $0[2] == "fnl_01HZX3KJ0GONE" },
        rows("IPv6 addresses", .funnelfoxSessions, minimum: 50) { $0[6]?.contains(":") == true },
        rows("statistics in EUR", .facebookAdStatistics, minimum: 10) { $0[10] == "EUR" },
    ]
}

extension String {
    /// Removes leading and trailing spaces (only spaces, as PostgreSQL's `trim`).
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

@Suite("Messy cases")
struct MessyCaseTests {
    @Test("each messy case of docs/mart.md is present", arguments: MessyCase.all)
    func present(messyCase: MessyCase) {
        let count = messyCase.count(SampleRows.small)
        #expect(count >= messyCase.minimum, "\(messyCase.name): \(count) found")
    }

    @Test("USD settlements have no exchange rate, other currencies do")
    func exchangeRates() {
        let currencyOfCharge = Dictionary(
            SampleRows.small[.stripePayments].map { ($0[0] ?? "", $0[4] ?? "") }, uniquingKeysWith: { first, _ in first })
        for row in SampleRows.small[.stripeBalanceTransactions] where row[2] == "charge" {
            let currency = currencyOfCharge[row[1] ?? ""]
            #expect(currency != nil)
            #expect((currency == "usd") == (row[7] == nil))
        }
    }

    @Test("most traffic is Facebook, and most Facebook traffic carries an ad id")
    func trafficMix() {
        let origins = SampleRows.small.column(.funnelfoxSessions, 4).map { parameters(of: $0 ?? "") }
        let facebook = origins.filter { parameters in
            parameters.contains { $0.key == "fbclid" }
                || parameters.contains {
                    $0.key == "utm_source" && ["fb", "facebook", "ig", "an", "msg", "{{site_source_name}}"].contains($0.value.lowercased())
                }
        }
        let withAdId = facebook.filter { parameters in
            parameters.contains { ($0.key == "ad_id" || $0.key == "h_ad_id") && $0.value.hasPrefix("1202") }
        }
        let facebookShare = Double(facebook.count) / Double(origins.count)
        let adIdShare = Double(withAdId.count) / Double(facebook.count)
        #expect(facebookShare > 0.5 && facebookShare < 0.7, "facebook share \(facebookShare)")
        #expect(adIdShare > 0.5 && adIdShare < 0.7, "ad id share \(adIdShare)")
    }
}

@Suite("Sinks")
struct SinkTests {
    @Test("a row of preformatted fields checksums and collects like the same fields one by one")
    func preformattedFieldsMatchSingleFields() {
        var single = ChecksumSink()
        single.fieldRaw("a")
        single.nullField()
        single.fieldRaw("")
        single.fieldRaw("{\"x\":1}")
        single.endRow()
        var combined = ChecksumSink()
        combined.fieldsRaw("a\t\\N\t\t{\"x\":1}")
        combined.endRow()
        #expect(single.checksum == combined.checksum)

        var collector = CollectingSink()
        collector.fieldsRaw("a\t\\N\t\t{\"x\":1}")
        collector.endRow()
        #expect(collector.rows == [["a", nil, "", "{\"x\":1}"]])
    }
}
