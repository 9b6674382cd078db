/// The Facebook Ads account structure of the sample data: campaigns, ad sets and ads, with
/// the days each ad ran. Small (a few thousand objects), built once per run from the seed,
/// and shared read-only by every table writer.
struct FacebookCatalog: Sendable {
    /// One campaign.
    struct Campaign: Sendable {
        let id: String
        /// Current name (what `facebook_campaigns` holds).
        let name: String
        /// Name on statistics rows before `renameDay`, when the campaign was renamed.
        let previousName: String?
        let renameDay: Int
        let objective: String
        let status: String
        let accountIndex: Int
        /// Seconds relative to the window start; may lie after sessions that reference it.
        let createdSecond: Int
        /// Name percent-encoded with `+` and with `%20` for spaces, for origins.
        let encodedNamePlus: String
        let encodedNamePercent: String
    }

    /// One ad set.
    struct AdSet: Sendable {
        let id: String
        let campaignIndex: Int
        let name: String
        let status: String
        let createdSecond: Int
    }

    /// One ad.
    struct Ad: Sendable {
        let id: String
        let adSetIndex: Int
        let campaignIndex: Int
        /// Creative name; the same name is reused by many ads.
        let name: String
        let encodedName: String
        let status: String
        let createdSecond: Int
        /// First and last window day (inclusive) the ad ran; may extend past the window.
        let firstDay: Int
        let lastDay: Int
        /// Daily spend level in cents of the account currency.
        let dailySpendCents: Int
        /// A deleted ad: it has statistics and clicks, but no row in `facebook_ads`.
        let isDeleted: Bool
    }

    /// An ad account.
    struct Account: Sendable {
        let id: String
        let currency: String
    }

    let accounts: [Account]
    let campaigns: [Campaign]
    let adSets: [AdSet]
    let ads: [Ad]
    /// For each window day, indexes of the ads running that day, repeated by their weight.
    let adsByDay: [[Int32]]

    /// Campaign names typed by marketers that a parser or a report must survive.
    static let awkwardCampaignNames = [
        "🔥 Fall Sale 🔥 | US | Broad",
        "<script>alert('xss')</script> retarget",
        "\"Best\" offer — women's 30+",
        "Ré-engagement | FR | été 2026",
        "  Padded Name | UK  ",
        "Back\\slash & ampersand = test",
        "Tab\tInside | DE",
        "Summer\u{00A0}NBSP | CA",
        "日本 | 春 | Broad",
        "50% off + free trial",
    ]

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed, stream: .facebookCatalog, index: 0)
        accounts = [
            Account(id: "act_\(1_000_000_000 + random.below(900_000_000))", currency: "USD"),
            Account(id: "act_\(2_000_000_000 + random.below(900_000_000))", currency: "USD"),
            Account(id: "act_\(3_000_000_000 + random.below(900_000_000))", currency: "EUR"),
        ]
        let geos = ["US", "UK", "CA", "AU", "DE", "FR", "JP", "BR", "WW", "T1"]
        let funnels = ["Quiz-Weight", "Quiz-Sleep", "Fasting", "Yoga", "Pilates", "Walking", "Keto"]
        let audiences = ["Broad", "LAL 1%", "LAL 3% Purchasers", "Interests", "Retarget 30d", "ASC+"]
        let offers = ["7d trial", "50% off", "Intro $1", "Annual", "Quiz funnel", "Advantage+"]
        let months = ["Jun26", "Jul26", "Aug26", "Sep26", "Oct26"]
        let objectives = ["OUTCOME_SALES", "OUTCOME_SALES", "OUTCOME_SALES", "OUTCOME_TRAFFIC", "OUTCOME_LEADS"]
        let creatives = (0..<420).map { index -> String in
            let kinds = ["UGC_video", "Static", "Carousel", "Testimonial", "Before_After", "Meme", "Reel", "Founder_story"]
            let hooks = ["hook", "pain", "result", "price", "social_proof", "question"]
            return "\(kinds[index % kinds.count])_\(hooks[(index / kinds.count) % hooks.count])_v\(index / 48 + 1)"
        }
        let adSetShapes = [
            "Broad 18-65+", "Women 25-44", "Men 30-55", "LAL 1% Purchasers", "LAL 5% Leads",
            "Interest Fitness", "Interest Yoga", "Retarget ATC 7d", "Advantage+ audience",
        ]

        let campaignCount = 320
        var campaigns: [Campaign] = []
        var adSets: [AdSet] = []
        var ads: [Ad] = []
        campaigns.reserveCapacity(campaignCount)
        var campaignRuns: [(first: Int, last: Int)] = []
        for index in 0..<campaignCount {
            // Ids: mostly 18 digits, some older 17-digit ones, so text order differs from numeric order.
            let id: String
            if random.chance(0.1) {
                id = "6" + zeroPadded(UInt64(index) * 1_000 + UInt64(random.below(1_000)) + 2_384_000_000, width: 16)
            } else {
                id = "12021" + zeroPadded(UInt64(index) * 1_000 + UInt64(random.below(1_000)) + 7_700_000_000, width: 13)
            }
            var name: String
            if index % 31 == 7, campaigns.count > 0 {
                // Duplicate campaign names: an earlier campaign's name, in another case or padding.
                let original = campaigns[random.below(campaigns.count)].name
                switch random.below(3) {
                case 0: name = original
                case 1: name = original.lowercased()
                default: name = " " + original + " "
                }
            } else if index % 29 == 3 {
                name = FacebookCatalog.awkwardCampaignNames[(index / 29) % FacebookCatalog.awkwardCampaignNames.count]
            } else {
                name =
                    "\(random.element(of: geos)) | \(random.element(of: funnels)) | \(random.element(of: audiences)) | \(random.element(of: offers)) | \(random.element(of: months))"
            }
            let alwaysOn = random.chance(0.6)
            let firstDay = alwaysOn ? -random.between(10, 200) : random.between(-30, 80)
            let lastDay = alwaysOn ? TimeWindow.dayCount + random.between(0, 30) : firstDay + random.between(7, 60)
            campaignRuns.append((firstDay, lastDay))
            // A few campaigns carry a creation time after the sessions that reference them
            // (re-created or re-imported); most were created just before they started.
            let createdSecond: Int
            if random.chance(0.04) {
                createdSecond = TimeWindow.endSecond - random.between(1, 20 * TimeWindow.secondsPerDay)
            } else {
                createdSecond = firstDay * TimeWindow.secondsPerDay - random.between(3_600, 5 * TimeWindow.secondsPerDay)
            }
            let renamed = random.chance(0.05)
            let status =
                lastDay < TimeWindow.dayCount
                ? (random.chance(0.7) ? "PAUSED" : "ARCHIVED")
                : (random.chance(0.97) ? "ACTIVE" : "DELETED")
            var builderPlus = TextBuilder()
            builderPlus.appendQueryEncoded(name, plusForSpace: true)
            var builderPercent = TextBuilder()
            builderPercent.appendQueryEncoded(name, plusForSpace: false)
            campaigns.append(
                Campaign(
                    id: id, name: name,
                    previousName: renamed ? name + " (old)" : nil,
                    renameDay: renamed ? random.between(5, 80) : Int.min,
                    objective: random.element(of: objectives), status: status,
                    accountIndex: random.chance(0.1) ? 2 : random.below(2),
                    createdSecond: createdSecond,
                    encodedNamePlus: builderPlus.take(), encodedNamePercent: builderPercent.take()))
            name = ""
        }

        for campaignIndex in 0..<campaignCount {
            let run = campaignRuns[campaignIndex]
            let campaign = campaigns[campaignIndex]
            for _ in 0..<random.between(2, 6) {
                let adSetIndex = adSets.count
                let adSetId = "12021" + zeroPadded(UInt64(adSetIndex) * 1_000 + UInt64(random.below(1_000)) + 8_800_000_000, width: 13)
                adSets.append(
                    AdSet(
                        id: adSetId, campaignIndex: campaignIndex,
                        name: "\(random.element(of: adSetShapes)) | \(random.between(1, 40))",
                        status: campaign.status == "ACTIVE" && random.chance(0.8) ? "ACTIVE" : "PAUSED",
                        createdSecond: campaign.createdSecond + random.between(60, 86_400)))
                for _ in 0..<random.between(1, 5) {
                    let adIndex = ads.count
                    let adId = "12021" + zeroPadded(UInt64(adIndex) * 1_000 + UInt64(random.below(1_000)) + 9_900_000_000, width: 13)
                    let first = run.first + random.between(0, max(0, (run.last - run.first) / 3))
                    let last = max(first, run.last - random.between(0, max(0, (run.last - run.first) / 4)))
                    let name = random.element(of: creatives)
                    var encoded = TextBuilder()
                    encoded.appendQueryEncoded(name, plusForSpace: true)
                    ads.append(
                        Ad(
                            id: adId, adSetIndex: adSetIndex, campaignIndex: campaignIndex, name: name,
                            encodedName: encoded.take(),
                            status: last >= TimeWindow.dayCount ? "ACTIVE" : "PAUSED",
                            createdSecond: first * TimeWindow.secondsPerDay - random.between(600, 86_400),
                            firstDay: first, lastDay: last,
                            dailySpendCents: random.between(2_000, 60_000),
                            isDeleted: random.chance(0.02)))
                }
            }
        }

        var byDay = [[Int32]](repeating: [], count: TimeWindow.dayCount)
        for (index, ad) in ads.enumerated() {
            let weight = 1 + ad.dailySpendCents / 20_000
            let firstDay = max(0, ad.firstDay)
            let lastDay = min(TimeWindow.dayCount - 1, ad.lastDay)
            guard firstDay <= lastDay else { continue }
            for day in firstDay...lastDay {
                for _ in 0..<weight { byDay[day].append(Int32(index)) }
            }
        }
        self.campaigns = campaigns
        self.adSets = adSets
        self.ads = ads
        self.adsByDay = byDay
    }

    /// The name a campaign's statistics carried on a given day.
    func campaignName(_ campaign: Campaign, onDay day: Int) -> String {
        if let previousName = campaign.previousName, day < campaign.renameDay { return previousName }
        return campaign.name
    }
}

/// Decimal digits of `value`, left-padded with zeros to `width`.
func zeroPadded(_ value: UInt64, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
