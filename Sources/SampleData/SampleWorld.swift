/// Everything the table writers share for one run: the seed, the calendar, the Facebook
/// catalog and the small lookup lists. Immutable, so it is handed to every thread as is.
struct SampleWorld: Sendable {
    let seed: UInt64
    let sessionCount: Int
    let window: TimeWindow
    let catalog: FacebookCatalog
    /// `dayStarts[day]` is the index of the first session of that day; the last element is
    /// `sessionCount`. Sessions are numbered in day order.
    let dayStarts: [Int]
    /// Cumulative weights of the hours of the day (sessions peak in the evening).
    let hourWeights: [Double]
    /// Cumulative weights of `Geography.countries`.
    let countryWeights: [Double]
    /// Cumulative weights of `Funnel.all`.
    let funnelWeights: [Double]
    /// Factor on the catalog's daily spend levels so that Facebook spend tracks the traffic
    /// (about 2.50 in account currency per session), whatever the number of sessions.
    let spendScale: Double

    init(seed: UInt64, sessionCount: Int) {
        self.seed = seed
        self.sessionCount = sessionCount
        window = TimeWindow()
        catalog = FacebookCatalog(seed: seed)
        // Weekly seasonality (weekends lower, Mondays highest) on a slowly growing trend.
        let weekdayFactors = [1.18, 1.10, 1.05, 1.0, 0.92, 0.80, 0.95]
        var dayWeights: [Double] = []
        for day in 0..<TimeWindow.dayCount {
            let weekday = (window.firstWeekday + day) % 7
            dayWeights.append(weekdayFactors[weekday] * (1.0 + 0.004 * Double(day)))
        }
        let total = dayWeights.reduce(0, +)
        var starts: [Int] = []
        var running = 0.0
        for weight in dayWeights {
            starts.append(Int((running / total * Double(sessionCount)).rounded(.down)))
            running += weight
        }
        starts.append(sessionCount)
        dayStarts = starts
        hourWeights = cumulativeWeights([
            2.0, 1.4, 1.0, 0.8, 0.8, 1.0, 1.6, 2.4, 3.0, 3.4, 3.6, 3.8,
            4.0, 4.0, 3.9, 3.9, 4.1, 4.5, 5.0, 5.6, 6.0, 5.6, 4.4, 3.0,
        ])
        countryWeights = cumulativeWeights(Geography.countries.map(\.weight))
        funnelWeights = cumulativeWeights(Funnel.all.map(\.weight))
        var catalogSpendCents = 0.0
        for ad in catalog.ads {
            let days = min(TimeWindow.dayCount - 1, ad.lastDay) - max(0, ad.firstDay) + 1
            if days > 0 { catalogSpendCents += Double(ad.dailySpendCents * days) }
        }
        spendScale = catalogSpendCents > 0 ? Double(sessionCount) * 250 / catalogSpendCents : 0
    }

    /// The window day of a session index.
    func day(ofSession index: Int) -> Int {
        var lower = 0
        var upper = TimeWindow.dayCount - 1
        while lower < upper {
            let middle = (lower + upper + 1) / 2
            if dayStarts[middle] <= index { lower = middle } else { upper = middle - 1 }
        }
        return lower
    }
}

/// How a session arrived; decides the shape of its `origin`.
enum TrafficChannel: UInt8 {
    case facebook, google, tiktok, email, referral, organic
}

/// The cheap core of one session that every table needs: who, when, where from, and
/// whether it converts. Derived from `(seed, session index)` alone.
struct SessionPlan {
    let index: Int
    /// The two words of the session's UUID; the high word is unique per index.
    let idHigh: UInt64
    let idLow: UInt64
    /// The profile's number; several sessions share a profile.
    let profileNumber: Int
    /// Session start, seconds since the window start.
    let startSecond: Int
    let day: Int
    let channel: TrafficChannel
    let countryIndex: Int
    let deviceIndex: Int
    let funnelIndex: Int
    /// True when the session buys a subscription.
    let converts: Bool
    /// True when a tester made a sandbox purchase in this (otherwise unconverted) session.
    let hasSandboxPurchase: Bool

    init(world: SampleWorld, index: Int) {
        var random = SeededRandom(seed: world.seed, stream: .session, index: index)
        self.index = index
        idHigh = mixBits(UInt64(index) ^ (world.seed &* 0xA24B_AED4_963E_E407))
        idLow = random.next()
        // A quarter of sessions come back to an earlier profile (returning visitors).
        if index > 0, random.chance(0.25) {
            profileNumber = max(0, index - 1 - random.below(min(index, 40_000)))
        } else {
            profileNumber = index
        }
        day = world.day(ofSession: index)
        let hour = random.weightedIndex(cumulative: world.hourWeights)
        startSecond = day * TimeWindow.secondsPerDay + hour * 3_600 + random.below(3_600)
        let channelDraw = random.unit()
        let channel: TrafficChannel
        switch channelDraw {
        case ..<0.60: channel = .facebook
        case ..<0.72: channel = .google
        case ..<0.79: channel = .tiktok
        case ..<0.83: channel = .email
        case ..<0.88: channel = .referral
        default: channel = .organic
        }
        self.channel = channel
        countryIndex = random.weightedIndex(cumulative: world.countryWeights)
        deviceIndex = random.below(DeviceProfile.all.count)
        funnelIndex = random.weightedIndex(cumulative: world.funnelWeights)
        let conversionRate: Double
        switch channel {
        case .facebook: conversionRate = 0.085
        case .google: conversionRate = 0.09
        case .tiktok: conversionRate = 0.05
        case .email: conversionRate = 0.12
        case .referral: conversionRate = 0.06
        case .organic: conversionRate = 0.065
        }
        converts = random.chance(conversionRate)
        hasSandboxPurchase = !converts && random.chance(0.003)
    }

    /// Appends the session id (UUID text).
    @inline(__always)
    func appendId(to builder: inout TextBuilder) {
        builder.appendUUID(high: idHigh, low: idLow)
    }

    /// Appends the profile id of a profile number.
    @inline(__always)
    static func appendProfileId(_ profileNumber: Int, seed: UInt64, to builder: inout TextBuilder) {
        let word = mixBits(UInt64(profileNumber) ^ (seed &* 0x9FB2_1C65_1E98_DF25) ^ 0x5EED)
        builder.append("prf_")
        builder.appendHex(word, count: 16)
    }
}

/// A country the sample traffic comes from.
struct Geography: Sendable {
    let code: String
    /// The name Amplitude resolves for it.
    let name: String
    let cities: [String]
    /// Currency of purchases from there (lower case, as Stripe sends it).
    let currency: String
    let weight: Double

    static let countries: [Geography] = [
        Geography(
            code: "US", name: "United States", cities: ["New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Austin", "Miami"],
            currency: "usd", weight: 44),
        Geography(
            code: "GB", name: "United Kingdom", cities: ["London", "Manchester", "Birmingham", "Leeds"], currency: "gbp", weight: 10),
        Geography(code: "CA", name: "Canada", cities: ["Toronto", "Vancouver", "Montréal", "Calgary"], currency: "cad", weight: 6),
        Geography(code: "AU", name: "Australia", cities: ["Sydney", "Melbourne", "Brisbane", "Perth"], currency: "aud", weight: 5),
        Geography(code: "DE", name: "Germany", cities: ["Berlin", "München", "Hamburg", "Köln"], currency: "eur", weight: 8),
        Geography(code: "FR", name: "France", cities: ["Paris", "Lyon", "Marseille", "Toulouse"], currency: "eur", weight: 5),
        Geography(code: "ES", name: "Spain", cities: ["Madrid", "Barcelona", "Valencia"], currency: "eur", weight: 3),
        Geography(code: "IT", name: "Italy", cities: ["Roma", "Milano", "Napoli"], currency: "eur", weight: 3),
        Geography(code: "JP", name: "Japan", cities: ["Tokyo", "Osaka", "Yokohama", "札幌"], currency: "jpy", weight: 6),
        Geography(code: "BR", name: "Brazil", cities: ["São Paulo", "Rio de Janeiro", "Brasília"], currency: "usd", weight: 4),
        Geography(code: "IN", name: "India", cities: ["Mumbai", "Delhi", "Bengaluru"], currency: "usd", weight: 3),
        Geography(code: "MX", name: "Mexico", cities: ["Ciudad de México", "Guadalajara"], currency: "usd", weight: 3),
    ]
}

/// A browser and operating system combination seen in sessions and their events.
struct DeviceProfile: Sendable {
    let userAgent: String
    let platform: String
    let osName: String
    let osVersion: String

    static let all: [DeviceProfile] = [
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.33.107;FBBV/612345678;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
            platform: "Web", osName: "iOS", osVersion: "17.5"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            platform: "Web", osName: "iOS", osVersion: "18.1"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22A3354 Instagram 350.0.0.21.108 (iPhone14,5; iOS 18_0; en_US; en; scale=3.00; 1170x2532; 642365612)",
            platform: "Web", osName: "iOS", osVersion: "18.0"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/468.1.0.56.78;]",
            platform: "Web", osName: "Android", osVersion: "14"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
            platform: "Web", osName: "Android", osVersion: "13"),
        DeviceProfile(
            userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
            platform: "Web", osName: "Windows", osVersion: "10"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            platform: "Web", osName: "Mac OS X", osVersion: "10.15.7"),
        DeviceProfile(
            userAgent:
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            platform: "iOS", osName: "iOS", osVersion: "16.7"),
    ]
}

/// A FunnelFox funnel of the sample data.
struct Funnel: Sendable {
    let id: String
    let title: String
    let type: String
    let environment: String
    let version: String
    /// URL path of the funnel on the landing host.
    let path: String
    let weight: Double

    static let all: [Funnel] = [
        Funnel(
            id: "fnl_01HZX3K9Q4WEIGHT", title: "Weight loss quiz", type: "quiz", environment: "prod", version: "v14", path: "weight-loss",
            weight: 30),
        Funnel(
            id: "fnl_01HZX3KA7DSLEEP", title: "Sleep better quiz", type: "quiz", environment: "prod", version: "v9", path: "sleep",
            weight: 14),
        Funnel(
            id: "fnl_01HZX3KB2FAST", title: "Intermittent fasting", type: "quiz", environment: "prod", version: "v22", path: "fasting",
            weight: 16),
        Funnel(
            id: "fnl_01HZX3KC8YOGA", title: "Yoga for beginners", type: "landing", environment: "prod", version: "v5", path: "yoga",
            weight: 10),
        Funnel(
            id: "fnl_01HZX3KD1PILATES", title: "Wall pilates 28 days", type: "quiz", environment: "prod", version: "v7",
            path: "wall-pilates", weight: 12),
        Funnel(
            id: "fnl_01HZX3KE4CHECKOUT", title: "Direct checkout", type: "checkout", environment: "prod", version: "v3", path: "checkout",
            weight: 8),
        Funnel(
            id: "fnl_01HZX3KF6KETO", title: "Keto meal plan", type: "quiz", environment: "prod", version: "v11", path: "keto", weight: 8),
        Funnel(
            id: "fnl_01HZX3KG9STAGE", title: "Weight loss quiz (staging)", type: "quiz", environment: "staging", version: "v15-rc1",
            path: "weight-loss-staging", weight: 0.5),
        Funnel(
            id: "fnl_01HZX3KH3DEV", title: "Playground", type: "landing", environment: "dev", version: "dev", path: "playground",
            weight: 0.2),
        Funnel(
            id: "fnl_01HZX3KJ0GONE", title: "Retired funnel (deleted)", type: "quiz", environment: "prod", version: "v2", path: "old-quiz",
            weight: 0.3),
    ]

    /// Funnels listed in `funnelfox_funnels`; the last one was deleted and is missing there.
    static var listed: ArraySlice<Funnel> { all.dropLast() }
}
