import PostgresClient
import SampleData
import TestSupport
import Testing

/// The generator against a real PostgreSQL: every table filled, and the same seed giving
/// the same data (checksums computed by the database over each table in key order).
@Suite struct GeneratedDatabaseTests {
    static let orderings: [String: String] = [
        "facebook_campaigns": "facebook_campaign_id", "facebook_adsets": "facebook_adset_id", "facebook_ads": "facebook_ad_id",
        "facebook_ad_statistics": "date, facebook_ad_id", "funnelfox_funnels": "id", "funnelfox_sessions": "id",
        "funnelfox_subscriptions": "id", "amplitude_events": "t::text", "stripe_subscriptions": "id",
        "stripe_payments": "id", "stripe_refunds": "id", "stripe_balance_transactions": "id",
    ]

    func checksums(_ url: String, seed: UInt64) throws -> [String: String] {
        let loads = try SampleDataGenerator(sessions: 800, seed: seed).generate(
            connect: { try Connection.connect(url) }, progress: { _ in })
        #expect(loads.count == 12)
        #expect(loads.allSatisfy { $0.rows > 0 })
        let connection = try Connection.connect(url)
        var result: [String: String] = [:]
        for (table, order) in Self.orderings {
            let sql = "select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by \(order)), '')) from raw.\(table) t"
            result[table] = try connection.execute(sql, name: table).rows[0][0] ?? ""
        }
        return result
    }

    @Test func sameSeedGivesTheSameDataAndEveryTableIsFilled() throws {
        let first = try TestDatabase.create(prefix: "gen")
        let second = try TestDatabase.create(prefix: "gen")
        defer {
            TestDatabase.drop(first)
            TestDatabase.drop(second)
        }
        let one = try checksums(first, seed: 3)
        let two = try checksums(second, seed: 3)
        #expect(one == two)
        let other = try checksums(second, seed: 4)
        #expect(other["funnelfox_sessions"] != one["funnelfox_sessions"])
        #expect(other["amplitude_events"] != one["amplitude_events"])
    }
}
