import Investigation
import PostgresClient
import TestSupport
import Testing

/// The normalised-equality rules of the near-miss fallback (docs/investigate.md), run in
/// PostgreSQL exactly as the investigation runs them.
@Suite struct NearMissRuleTests {
    /// One database for all cases; each case opens its own connection (a libpq connection
    /// must not be shared by tests running side by side).
    static let url: Result<String, Error> = Result { try TestDatabase.create(prefix: "nearmiss") }

    @Test(arguments: [
        ("Spring Sale copy 2", "Spring Sale", true),
        ("Spring Sale - Copy", "Spring Sale", true),
        ("spring_sale_copy_3", "Spring Sale", true),
        ("spring sale ", "Spring Sale", true),
        ("Spring%20Sale", "Spring Sale", true),
        ("SPRING SALE 🚀", "Spring Sale", true),
        ("Spring | Sale", "Spring Sale", true),
        ("Spring Sale 2", "Spring Sale", false),
        ("Prelaunch Q3", "Spring Sale", false),
        ("Copywriting", "Spring Sale", false),
        ("🚀", "🔥", false),
    ])
    func normalisedEquality(value: String, name: String, isNearMiss: Bool) throws {
        let connection = try Connection.connect(try Self.url.get())
        let sql = "select \(MatchRateInvestigator.normalisedEqual("$1::text", "$2::text"))"
        let result = try connection.execute(sql, name: "near miss rule", [value, name]).rows.first?[0]
        #expect(result == (isNearMiss ? "t" : "f"))
    }
}
