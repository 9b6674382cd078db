import Foundation
import PostgresClient
import TestSupport
import Testing

/// `reckon investigate match-rate` end to end on a hand-made mart: output, files, exit codes.
extension CLITests {
    /// A database with a tiny mart and the facebook_* sources: 2026-10-01 … 10-03 matched by
    /// ad id, 2026-10-04 half of the sessions carry an unknown campaign name and no ad id.
    static func investigateFixture() throws -> String {
        let url = try TestDatabase.create(prefix: "cli_investigate")
        let connection = try Connection.connect(url)
        try connection.executeScript(
            """
            create schema raw;
            create table raw.facebook_campaigns (facebook_campaign_id text, campaign_name text);
            create table raw.facebook_adsets (facebook_adset_id text, adset_name text);
            create table raw.facebook_ads (facebook_ad_id text, ad_name text);
            create table raw.facebook_ad_statistics (facebook_ad_id text);
            insert into raw.facebook_campaigns values ('c1', 'Spring Sale');
            insert into raw.facebook_adsets values ('s1', 'Broad');
            insert into raw.facebook_ads values ('a1', 'Video 1');
            create schema shop;
            create table shop.mart_marketing_attribution (
              session_id text, session_date date, is_facebook_traffic boolean, facebook_match_tier text,
              utm_source text, utm_campaign text, utm_content text, ad_id text, funnel_id text,
              amplitude_platform text, campaign_name text, origin_raw text, session_timestamp timestamptz);
            insert into shop.mart_marketing_attribution
            select 's' || d || '_' || i, date '2026-10-01' + d, true,
                   case when d = 3 and i % 2 = 0 then null else 'ad_id' end, 'fb',
                   case when d = 3 and i % 2 = 0 then 'Sprng Sale 2026' else 'Spring Sale' end, null,
                   case when d = 3 and i % 2 = 0 then null else 'a1' end, 'f1', 'Web',
                   case when d = 3 and i % 2 = 0 then null else 'Spring Sale' end,
                   'https://x.io/?utm_source=fb', (date '2026-10-01' + d)::timestamptz
            from generate_series(0, 3) d, generate_series(1, 20) i;
            create schema empty_mart;
            create table empty_mart.mart_marketing_attribution (like shop.mart_marketing_attribution);
            """, name: "investigate fixture")
        return url
    }

    @Test func investigateRanksTheUnknownCampaignFirstAndWritesFiles() throws {
        let url = try Self.investigateFixture()
        defer { TestDatabase.drop(url) }
        let folder = NSTemporaryDirectory() + "reckon-investigate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try reckon(
            [
                "investigate", "match-rate", "--date", "2026-10-04", "--baseline-days", "3", "--target-schema", "shop",
                "--json", folder + "/i.json", "--html", folder + "/i.html",
            ], environment: ["DATABASE_URL": url])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Facebook match rate 2026-10-04: 50.0% (10/20)  vs baseline 2026-10-01") == true)
        let first = try #require(lines.first { $0.hasPrefix(" 1.") })
        #expect(first.contains("10 sessions"))
        #expect(first.contains("\"Sprng Sale 2026\""))
        let json = try String(contentsOfFile: folder + "/i.json", encoding: .utf8)
        #expect(json.contains("\"excessSessions\" : 10"))
        let html = try String(contentsOfFile: folder + "/i.html", encoding: .utf8)
        #expect(html.contains("Sprng Sale 2026"))
    }

    @Test(arguments: [
        (["--date", "2026-12-01", "--target-schema", "shop"], Int32(2), "the mart holds sessions from 2026-10-01 to 2026-10-04"),
        (["--date", "2026-10-02", "--target-schema", "empty_mart"], Int32(2), "the mart is empty"),
        (["--date", "2026-10-02", "--target-schema", "nowhere"], Int32(3), "nowhere.mart_marketing_attribution does not exist"),
        (["--date", "02.10.2026", "--target-schema", "shop"], Int32(2), "invalid date 02.10.2026"),
    ])
    func investigateErrorsExitWithTheirCode(arguments: [String], status: Int32, message: String) throws {
        let url = try Self.investigateFixture()
        defer { TestDatabase.drop(url) }
        let outcome = try reckon(["investigate", "match-rate"] + arguments, environment: ["DATABASE_URL": url])
        #expect(outcome.status == status)
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty)
    }
}

extension CLITests {
    @Test func unknownIncidentExitsTwoBeforeConnecting() throws {
        let outcome = try reckon(
            ["generate", "--sessions", "10", "--incident", "flood@2026-10-12"],
            environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("invalid incident flood@2026-10-12: expected NAME@YYYY-MM-DD with NAME one of"))
    }

    @Test func incidentOnADayWithoutSessionsExitsTwo() throws {
        let url = try TestDatabase.create(prefix: "cli_incident")
        defer { TestDatabase.drop(url) }
        let outcome = try reckon(
            ["generate", "--sessions", "200", "--incident", "macro-unreplaced@2030-01-01"], environment: ["DATABASE_URL": url])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("incident macro-unreplaced@2030-01-01: no sessions on 2030-01-01"))
    }
}
