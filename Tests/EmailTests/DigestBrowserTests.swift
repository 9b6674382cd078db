import Foundation
import TestSupport
import Testing

@testable import Email

/// The digest in a real browser at a phone-sized mail pane: headless Chromium, 600 px wide.
/// The failing check's name and figures must be on the first screen and nothing may need
/// horizontal scrolling. Runs when chromium is installed, always in CI (`CI` set).
@Suite(.serialized) struct DigestBrowserTests {
    static let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
    static let enabled = chromiumPath != nil || inCI

    /// Kept for people to look at.
    static let screenshotPath = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-digest-600.png")

    func chromium(_ arguments: [String], profile: URL) throws -> (status: Int32, output: String) {
        let chromium = try #require(Self.chromiumPath, "chromium must be installed in CI (apt-get install -y chromium)")
        return try SMTPTestServer.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile.path)",
                "--hide-scrollbars", "--window-size=600,900",
            ] + arguments)
    }

    /// A probe the test adds after the digest (the digest itself has no script): it writes, into
    /// the DOM that Chromium dumps, where the first failing check's name and figures are.
    static let probe = """
        <script>
        function box(text) {
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
          let found = null;
          while (walker.nextNode()) { if (walker.currentNode.textContent.includes(text)) found = walker.currentNode; }
          if (!found) return "missing";
          const r = found.getBoundingClientRect();
          return [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)].join(",");
        }
        document.body.setAttribute("data-probe", JSON.stringify({
          name: box("matched_ad_exists_in_facebook_ads_0"), observed: box("1234 failing rows"),
          expected: box("error if > 0"), scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }));
        </script>
        """

    struct Probe: Decodable {
        var name: String
        var observed: String
        var expected: String
        var scrollWidth: Int
        var width: Int
    }

    @Test(.enabled(if: enabled, "chromium is not installed"))
    func theFailingChecksNameAndFiguresAreOnTheFirstScreenAt600Pixels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let digest = DigestRenderer(reportURL: "https://reports.example.com/latest.html", reportAttached: true)
            .render(EmailFixtures.run(failing: 3))
        let page = directory.appendingPathComponent("digest.html")
        try digest.html.write(to: page, atomically: true, encoding: .utf8)
        let probed = directory.appendingPathComponent("probed.html")
        try digest.html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>").write(
            to: probed, atomically: true, encoding: .utf8)

        let dom = try chromium(
            ["--virtual-time-budget=2000", "--dump-dom", probed.absoluteString], profile: directory.appendingPathComponent("p1"))
        #expect(dom.status == 0)
        let attribute = try #require(dom.output.range(of: "data-probe=\"")).upperBound
        let end = try #require(dom.output[attribute...].firstIndex(of: "\""))
        let json = String(dom.output[attribute..<end]).replacingOccurrences(of: "&quot;", with: "\"")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
        #expect(probe.width == 600)
        #expect(probe.scrollWidth <= 600, "the digest needs horizontal scrolling at 600 px")
        for (what, box) in [("name", probe.name), ("observed", probe.observed), ("expected", probe.expected)] {
            let edges = box.split(separator: ",").compactMap { Int($0) }
            #expect(edges.count == 4, "\(what): \(box)")
            guard edges.count == 4 else { continue }
            #expect(edges[0] >= 0 && edges[2] <= 600, "\(what) is cut off horizontally: \(box)")
            #expect(edges[1] >= 0 && edges[3] <= 900, "\(what) is below the first screen: \(box)")
        }

        try? FileManager.default.removeItem(at: Self.screenshotPath)
        let shot = try chromium(
            ["--screenshot=\(Self.screenshotPath.path)", page.absoluteString], profile: directory.appendingPathComponent("p2"))
        #expect(shot.status == 0)
        let png = try Data(contentsOf: Self.screenshotPath)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a blank page compresses to a few kilobytes")
    }
}
