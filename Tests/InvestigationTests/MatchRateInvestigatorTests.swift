import Foundation
import Investigation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// One generated and built database with each incident on its own day, shared by the tests
/// (generating and building once keeps the suite fast).
struct IncidentWorld: Sendable {
    let url: String
    let configuration: Configuration
    let injected: [InjectedIncident]

    static let days: [Incident.Kind: String] = [
        .campaignRenamed: "2026-10-10", .adIdLostNearMiss: "2026-10-11", .adsMissing: "2026-10-12",
        .funnelDropsAdId: "2026-10-13", .macroUnreplaced: "2026-10-14",
    ]

    static let shared: Result<IncidentWorld, Error> = Result {
        let url = try TestDatabase.create(prefix: "investigate")
        let generator = SampleDataGenerator(sessions: 5_000, seed: 5)
        _ = try generator.generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let connection = try Connection.connect(url)
        let injector = IncidentInjector(rawSchema: "raw")
        let injected = try Incident.Kind.allCases.map { kind in
            try injector.apply(Incident(kind: kind, date: days[kind] ?? ""), on: connection)
        }
        var configuration = Configuration()
        configuration.modelsDirectory = TestDatabase.repositoryRoot.appendingPathComponent("models").path
        let builder = ModelBuilder(
            connection: connection, configuration: configuration,
            project: try ModelProject.load(directory: configuration.modelsDirectory), targetSchema: "analytics")
        _ = try builder.build(progress: { _ in })
        try builder.publish()
        return IncidentWorld(url: url, configuration: configuration, injected: injected)
    }

    static func get() throws -> IncidentWorld { try shared.get() }

    func investigate(_ date: String, until: String? = nil, schema: String = "analytics", trigrams: Bool = true) throws
        -> MatchRateReport
    {
        let connection = try Connection.connect(url)
        return try MatchRateInvestigator(
            configuration: configuration, targetSchema: schema, date: date, until: until, baselineDays: 7,
            useTrigrams: trigrams
        ).run(on: connection)
    }

    func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        let connection = try Connection.connect(url)
        return Int(try connection.execute(sql, name: "test count", parameters).rows.first?[0] ?? "") ?? -1
    }
}

@Suite struct MatchRateInvestigatorTests {
    @Test(arguments: Incident.Kind.allCases)
    func injectedCauseRanksFirstWithExactSessionCount(kind: Incident.Kind) throws {
        let world = try IncidentWorld.get()
        let injected = try #require(world.injected.first { $0.incident.kind == kind })
        #expect(injected.sessions > 5)
        let report = try world.investigate(injected.incident.date)
        let top = try #require(report.findings.first)
        switch kind {
        case .campaignRenamed:
            #expect(top.kind == .unknownValue)
            #expect(top.parameter == "utm_campaign")
            #expect(top.value == injected.key)
            #expect(top.isNew)
            #expect(top.sessions == injected.sessions)
        case .adIdLostNearMiss:
            #expect(top.kind == .nearMiss)
            #expect(top.value == injected.key)
            #expect(top.nearName.map { injected.key.hasPrefix($0) } == true)
            #expect(top.sessions == injected.sessions)
        case .adsMissing:
            #expect(top.kind == .unknownAdId)
            #expect(top.value == injected.key)
            #expect(top.isNew)
            #expect(top.sessions == injected.sessions)
            for id in injected.adIds { #expect(top.detail.contains(id)) }
        case .funnelDropsAdId, .macroUnreplaced:
            #expect(top.kind == (kind == .funnelDropsAdId ? .missingParameter : .macro))
            #expect(top.parameter == "ad_id")
            #expect(top.funnel == injected.key)
            // Every Facebook session of the funnel that day lost its ad_id: counted on the mart.
            let expected = try world.count(
                """
                select count(*) from analytics.mart_marketing_attribution
                where session_date = $1::date and funnel_id = $2 and is_facebook_traffic
                """, [injected.incident.date, injected.key])
            #expect(top.sessions == expected)
        }
        #expect(top.excessSessions > 0)
        #expect(top.exampleSessionIds.count == 3)
    }

    @Test func everyFindingsSQLListsExactlyItsSessions() throws {
        let world = try IncidentWorld.get()
        let report = try world.investigate("2026-10-12")
        #expect(report.findings.count >= 5)
        let connection = try Connection.connect(world.url)
        for finding in report.findings.prefix(12) {
            let rows = try connection.execute(finding.sql, name: "finding sql").rows
            #expect(rows.count == finding.sessions, "\(finding.title)")
            #expect(rows.prefix(3).compactMap { $0[0] } == finding.exampleSessionIds, "\(finding.title)")
        }
        for decomposition in report.decompositions where !decomposition.sql.isEmpty {
            let rows = try connection.execute(decomposition.sql, name: "decomposition sql").rows
            #expect(rows.prefix(3).compactMap { $0[0] } == decomposition.exampleSessionIds)
        }
    }

    @Test func tiersAndDecompositionAddUpToTheRateChange() throws {
        let world = try IncidentWorld.get()
        let report = try world.investigate("2026-10-10")
        #expect(report.tiers.map(\.sessions).reduce(0, +) == report.period.sessions)
        #expect(report.tiers.map(\.baselineSessions).reduce(0, +) == report.baseline.sessions)
        let unmatched = try #require(report.tiers.first { $0.tier == "unmatched" })
        #expect(unmatched.sessions == report.period.sessions - report.period.matched)
        let lost = (report.baseline.rate - report.period.rate) * Double(report.period.sessions)
        for decomposition in report.decompositions {
            // Rate and mix effects are rounded separately: they add up to the loss within 1.
            #expect(abs(Double(decomposition.rateEffectSessions + decomposition.mixEffectSessions) - lost) <= 1.0)
        }
        let expectedMatched = try world.count(
            """
            select count(*) from analytics.mart_marketing_attribution
            where session_date = '2026-10-10' and is_facebook_traffic and facebook_match_tier is not null
            """)
        #expect(report.period.matched == expectedMatched)
    }

    @Test func nearMissFallbackWithoutTrigramsFindsTheCopySuffix() throws {
        let world = try IncidentWorld.get()
        let injected = try #require(world.injected.first { $0.incident.kind == .adIdLostNearMiss })
        let report = try world.investigate(injected.incident.date, trigrams: false)
        #expect(report.nearMissMethod == "normalised equality")
        let top = try #require(report.findings.first)
        #expect(top.kind == .nearMiss)
        #expect(top.similarity == 1.0)
        #expect(top.sessions == injected.sessions)
    }

    @Test func rangeCoversSeveralIncidentDays() throws {
        let world = try IncidentWorld.get()
        let report = try world.investigate("2026-10-10", until: "2026-10-11")
        #expect(report.period.days == 2)
        let values = Set(report.findings.prefix(2).compactMap(\.value))
        for kind in [Incident.Kind.campaignRenamed, .adIdLostNearMiss] {
            let injected = try #require(world.injected.first { $0.incident.kind == kind })
            #expect(values.contains(injected.key))
        }
    }

    @Test func dateWithoutDataIsAnError() throws {
        let world = try IncidentWorld.get()
        #expect(throws: InvestigationError.self) { try world.investigate("2027-03-01") }
        do {
            _ = try world.investigate("2027-03-01")
        } catch let error as InvestigationError {
            #expect(error.kind == .noData)
            #expect(error.description.contains("the mart holds sessions from 2026-08-03 to 2026-10-31"))
        }
    }

    @Test func firstDayHasNoBaselineAndIsAnError() throws {
        let world = try IncidentWorld.get()
        do {
            _ = try world.investigate("2026-08-03")
            Issue.record("expected an error")
        } catch let error as InvestigationError {
            #expect(error.kind == .noData)
            #expect(error.description.contains("baseline"))
        }
    }

    @Test func unbuiltMartIsAnError() throws {
        let world = try IncidentWorld.get()
        do {
            _ = try world.investigate("2026-10-10", schema: "not_built")
            Issue.record("expected an error")
        } catch let error as InvestigationError {
            #expect(error.kind == .martMissing)
            #expect(error.description.contains("not_built.mart_marketing_attribution"))
        }
    }

    @Test(arguments: [("2026-10-1", nil), ("2026-10-12", "2026-10-11")] as [(String, String?)])
    func badArgumentsAreErrors(date: String, until: String?) throws {
        let world = try IncidentWorld.get()
        do {
            _ = try world.investigate(date, until: until)
            Issue.record("expected an error")
        } catch let error as InvestigationError {
            #expect(error.kind == .badArguments)
        }
    }
}

@Suite struct MatchRateRenderingTests {
    @Test func summaryFitsAScreenAndPutsTheCauseFirst() throws {
        let world = try IncidentWorld.get()
        let report = try world.investigate("2026-10-10")
        let summary = MatchRateRendering.summary(report)
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 32)
        #expect(lines.allSatisfy { $0.count <= 132 })
        let firstCause = try #require(lines.firstIndex { $0.hasPrefix(" 1.") })
        let tiers = try #require(lines.firstIndex { $0.hasPrefix("Tiers") })
        #expect(firstCause < tiers)
        #expect(lines[firstCause].contains("Prelaunch"))
    }

    @Test func jsonRoundTripsAndHTMLShowsTheFindings() throws {
        let world = try IncidentWorld.get()
        let report = try world.investigate("2026-10-11")
        let data = try MatchRateRendering.json(report)
        let decoded = try JSONDecoder().decode(MatchRateReport.self, from: data)
        #expect(decoded == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["findings"] != nil)
        let html = MatchRateRendering.html(report, generatedAt: Date(timeIntervalSince1970: 0), reckonVersion: "test")
        let top = try #require(report.findings.first)
        #expect(html.contains(MatchRateRendering.escape(top.title)))
        #expect(html.contains(MatchRateRendering.escape(top.sql)))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func escapeCoversHTMLSpecialCharacters() {
        #expect(MatchRateRendering.escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
    }
}

@Suite struct IncidentParsingTests {
    @Test(arguments: Incident.Kind.allCases)
    func parsesEveryIncidentName(kind: Incident.Kind) throws {
        #expect(try Incident(parsing: "\(kind.rawValue)@2026-10-12") == Incident(kind: kind, date: "2026-10-12"))
    }

    @Test(arguments: ["campaign-renamed", "nope@2026-10-12", "campaign-renamed@12-10-2026"])
    func rejectsMalformedIncidents(text: String) {
        #expect(throws: (any Error).self) { try Incident(parsing: text) }
    }
}
