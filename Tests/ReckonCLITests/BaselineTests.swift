import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// The models as SELECTs materialized by reckon build the same marts, byte for byte, as the
/// pre-issue-14 scripts kept under bench/baseline/ (run by psql), on the same data.
@Suite struct BaselineTests {
    @Test func buildGivesTheBaselineMartsByteForByte() throws {
        let url = try TestDatabase.create(prefix: "baseline")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 2_000, seed: 14).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let build = try CLITests().reckon(["build", "--jobs", "2"], environment: ["DATABASE_URL": url])
        #expect(build.status == 0, "\(build.standardError)")
        let folder = TestDatabase.repositoryRoot.appendingPathComponent("bench/baseline").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted {
            ($0 == "00_prepare.sql" ? "" : $0) < ($1 == "00_prepare.sql" ? "" : $1)
        }
        for file in files {
            let psql = try Tools.psql([url, "-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", folder + "/" + file])
            #expect(psql.status == 0, "\(file): \(psql.stderr)")
        }
        let connection = try Connection.connect(url)
        for (mart, order) in [("mart_marketing_attribution", "session_id"), ("mart_campaign_daily", "date, facebook_campaign_id")] {
            let hashes = try ["analytics", "bench_baseline__staging"].map { schema in
                try connection.execute(
                    "select count(*) || ' ' || md5(string_agg(t::text, '|' order by \(order))) from \(schema).\(mart) t", name: "hash"
                ).rows[0][0]
            }
            #expect(hashes[0] != nil && hashes[0] == hashes[1], "\(mart) differs from the baseline's")
        }
    }
}
