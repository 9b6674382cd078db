/// Rows of `funnelfox_sessions`, including the landing URLs (`origin`) in all the shapes
/// browsers, ad platforms and marketers produce.
extension SampleWorld {
    /// `funnelfox_sessions`: one row per session.
    func writeSessions<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        let previousVersions = Funnel.all.map { funnel -> String in
            if funnel.version.hasPrefix("v"), let number = Int(funnel.version.dropFirst()), number > 1 {
                return "v\(number - 1)"
            }
            return funnel.version
        }
        for index in 0..<sessionCount {
            let plan = SessionPlan(world: self, index: index)
            var random = SeededRandom(seed: seed, stream: .sessionOrigin, index: index)
            let funnel = Funnel.all[plan.funnelIndex]
            let geography = Geography.countries[plan.countryIndex]
            plan.appendId(to: &builder)
            sink.fieldRaw(builder.take())
            SessionPlan.appendProfileId(plan.profileNumber, seed: seed, to: &builder)
            sink.fieldRaw(builder.take())
            sink.field(funnel.id)
            sink.field(random.chance(0.15) ? previousVersions[plan.funnelIndex] : funnel.version)
            switch appendOrigin(plan: plan, funnel: funnel, random: &random, to: &builder) {
            case .text: sink.field(builder.take())
            case .null:
                builder.reset()
                sink.nullField()
            }
            sink.field(DeviceProfile.all[plan.deviceIndex].userAgent)
            appendAddress(random: &random, to: &builder)
            sink.fieldRaw(builder.take())
            sink.field(geography.code)
            sink.field(random.chance(0.02) ? nil : random.element(of: geography.cities))
            window.appendTimestamp(second: plan.startSecond, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// Whether an origin was written or the session has a NULL origin.
    enum OriginOutcome {
        case text, null
    }

    /// Appends an IPv4 address, or an IPv6 one for a tenth of the sessions.
    private func appendAddress(random: inout SeededRandom, to builder: inout TextBuilder) {
        if random.chance(0.1) {
            builder.append("2a02:")
            for group in 0..<7 {
                builder.appendHex(UInt64(random.below(65_536)), count: 4)
                if group < 6 { builder.append(UInt8(ascii: ":")) }
            }
        } else {
            builder.appendDecimal(random.between(11, 223))
            for _ in 0..<3 {
                builder.append(UInt8(ascii: "."))
                builder.appendDecimal(random.below(256))
            }
        }
    }

    /// Appends the session's landing URL; returns `.null` for a NULL origin.
    func appendOrigin(
        plan: SessionPlan, funnel: Funnel, random: inout SeededRandom, to builder: inout TextBuilder
    ) -> OriginOutcome {
        var query = QueryWriter(plusForSpace: random.chance(0.6))
        builder.reset()
        // Where the parameters go: after `?`, in a fragment route, or the whole origin.
        let placement = random.unit()
        if plan.channel == .facebook && placement < 0.02 {
            query.startBare(to: &builder)
        } else if placement < 0.06 {
            query.startFragment(host: "https://get.fitquiz.app/", path: funnel.path, to: &builder)
        } else {
            query.start(host: random.chance(0.9) ? "https://get.fitquiz.app/" : "https://fitquiz.app/", path: funnel.path, to: &builder)
        }
        switch plan.channel {
        case .facebook:
            appendFacebookParameters(plan: plan, random: &random, query: &query, to: &builder)
        case .google:
            if random.chance(0.3) {
                query.add("gclid", clickId(prefix: "Cj0KCQjw", random: &random), to: &builder)
            } else {
                query.add("utm_source", random.chance(0.9) ? "google" : "adwords", to: &builder)
                query.add("utm_medium", random.chance(0.85) ? "cpc" : "ppc", to: &builder)
                query.add(
                    "utm_campaign", random.element(of: ["brand_us", "generic_weight_loss", "pmax_all", "yt_demand_gen"]), to: &builder)
                query.add("utm_term", random.element(of: ["weight loss app", "fasting tracker", "wall pilates"]), to: &builder)
                query.add("gclid", clickId(prefix: "EAIaIQob", random: &random), to: &builder)
            }
        case .tiktok:
            if random.chance(0.3) {
                query.add("ttclid", clickId(prefix: "E.C.P.", random: &random), to: &builder)
            } else {
                query.add("utm_source", random.chance(0.8) ? "tiktok" : "TikTok", to: &builder)
                query.add("utm_medium", "paid", to: &builder)
                query.add("utm_campaign", random.element(of: ["tt_spark_us", "tt_smart_plus", "tt_ugc_uk"]), to: &builder)
                query.add("ttclid", clickId(prefix: "E.C.P.", random: &random), to: &builder)
            }
        case .email:
            query.add("utm_source", random.element(of: ["newsletter", "klaviyo", "braze"]), to: &builder)
            query.add("utm_medium", random.chance(0.9) ? "email" : "Email", to: &builder)
            query.add("utm_campaign", random.element(of: ["winback_oct", "welcome_series_3", "black_friday_early"]), to: &builder)
        case .referral:
            query.add("utm_source", random.element(of: ["reddit", "partner_blog", "youtube", "producthunt", "healthline"]), to: &builder)
            if random.chance(0.4) { query.add("utm_campaign", "review", to: &builder) }
        case .organic:
            let shape = random.unit()
            if shape < 0.15 { return .null }
            if shape < 0.30 {
                builder.reset()
                return .text
            }
            if shape < 0.42 {
                builder.reset()
                builder.append(random.element(of: garbageOrigins))
                return .text
            }
            if shape < 0.55 {
                query.add("ref", "producthunt", to: &builder)
            } else if shape < 0.62 {
                query.add("utm_source", "", to: &builder)
                query.add("utm_medium", "", to: &builder)
            } else if shape < 0.66 {
                query.add("utm_source", "%20%20", encoded: true, to: &builder)
            }
        }
        // Rare decorations on any traffic.
        let decoration = random.unit()
        if decoration < 0.006 {
            query.add("utm_term", "caf%C3%A9%E9", encoded: true, to: &builder)
        } else if decoration < 0.010 {
            query.add("utm_term", "a%00b", encoded: true, to: &builder)
        } else if decoration < 0.013 {
            var padding = TextBuilder()
            for _ in 0..<(2_000 + random.below(3_000)) / 16 { padding.appendHex(random.next(), count: 16) }
            query.add("_ga", padding.take(), to: &builder)
        } else if decoration < 0.030 {
            query.add("fbp", "fb.1.\(1_754_000_000_000 + random.below(10_000_000_000)).\(random.below(2_000_000_000))", to: &builder)
        }
        query.finish(&builder)
        return .text
    }

    /// The Facebook shapes: ad id (the majority), campaign name only, ad name only, unmatched.
    private func appendFacebookParameters(
        plan: SessionPlan, random: inout SeededRandom, query: inout QueryWriter, to builder: inout TextBuilder
    ) {
        let running = catalog.adsByDay[plan.day]
        guard !running.isEmpty else {
            query.add("fbclid", clickId(prefix: "IwAR", random: &random), to: &builder)
            return
        }
        let ad = catalog.ads[Int(random.element(of: running))]
        let campaign = catalog.campaigns[ad.campaignIndex]
        let adSet = catalog.adSets[ad.adSetIndex]
        let upperCaseKeys = random.chance(0.05)
        let sourceKey = upperCaseKeys ? "UTM_Source" : (random.chance(0.01) ? "utm%5Fsource" : "utm_source")
        let source = random.unit()
        let sourceValue: String
        switch source {
        case ..<0.50: sourceValue = "fb"
        case ..<0.72: sourceValue = "facebook"
        case ..<0.86: sourceValue = "ig"
        case ..<0.89: sourceValue = "an"
        case ..<0.91: sourceValue = "msg"
        case ..<0.95: sourceValue = "{{site_source_name}}"
        default: sourceValue = "Facebook"
        }
        let campaignValue = query.plusForSpace ? campaign.encodedNamePlus : campaign.encodedNamePercent
        let medium = random.unit()
        let mediumKey = upperCaseKeys ? "UTM_MEDIUM" : "utm_medium"
        let style = random.unit()
        if style >= 0.85, random.chance(0.5) {
            // Unmatched: fbclid only, the UTM parameters were stripped on the way.
            query.add("fbclid", clickId(prefix: "IwAR", random: &random), to: &builder)
            return
        }
        if random.chance(0.02) {
            // Repeated parameter: the first occurrence wins.
            query.add(sourceKey, sourceValue, to: &builder)
        }
        query.add(sourceKey, sourceValue, to: &builder)
        if medium < 0.6 {
            query.add(mediumKey, "paid", to: &builder)
        } else if medium < 0.9 {
            query.add(mediumKey, "cpc", to: &builder)
        }
        switch style {
        case ..<0.60:
            // Tier `ad_id`: the ad's id (sometimes as `h_ad_id`, sometimes after a macro).
            query.add(
                upperCaseKeys ? "UTM_Campaign" : "utm_campaign", random.chance(0.05) ? "{{campaign.name}}" : campaignValue, encoded: true,
                to: &builder)
            query.add("utm_content", ad.encodedName, encoded: true, to: &builder)
            if random.chance(0.3) { query.add("utm_term", adSet.name, to: &builder) }
            let idShape = random.unit()
            if idShape < 0.08 {
                query.add("ad_id", "{{ad.id}}", encoded: true, to: &builder)
                query.add("h_ad_id", ad.id, to: &builder)
            } else if idShape < 0.12 {
                query.add("h_ad_id", ad.id, to: &builder)
            } else if idShape < 0.14 {
                query.add("ad_id", "", to: &builder)
                query.add("ad_id", ad.id, to: &builder)
            } else if idShape < 0.16 {
                query.add("ad_id", "%20" + ad.id + "%20", encoded: true, to: &builder)
            } else {
                query.add("ad_id", ad.id, to: &builder)
            }
        case ..<0.75:
            // Tier `utm_campaign`: the campaign name only (the ad macro was not replaced).
            let variant = random.unit()
            if variant < 0.1 {
                query.add("utm_campaign", campaign.name.uppercased(), to: &builder)
            } else if variant < 0.15 {
                query.add("utm_campaign", "%20" + campaignValue + "%20", encoded: true, to: &builder)
            } else {
                query.add("utm_campaign", campaignValue, encoded: true, to: &builder)
            }
            if random.chance(0.5) { query.add("ad_id", "{{ad.id}}", to: &builder) }
            if random.chance(0.3) { query.add("utm_content", "{{ ad.name }}", to: &builder) }
        case ..<0.85:
            // Tier `utm_content`: the ad name only.
            if random.chance(0.5) { query.add("utm_campaign", "{{ campaign.name }}", to: &builder) }
            query.add("utm_content", ad.encodedName, encoded: true, to: &builder)
        default:
            // Unmatched Facebook traffic.
            if random.chance(0.5) {
                query.add(
                    "utm_campaign", random.element(of: ["old_campaign_2025", "lookalike_test", "spring_promo", "Campaign copy"]),
                    to: &builder)
            } else {
                query.add("ad_id", random.element(of: ["undefined", "null", "123", "{{ad.id}}"]), to: &builder)
            }
        }
        if random.chance(0.6) {
            query.add("fbclid", clickId(prefix: "IwAR", random: &random), to: &builder)
        }
    }

    /// A click id of an ad platform: a prefix and random base-62 characters.
    private func clickId(prefix: String, random: inout SeededRandom) -> String {
        var builder = TextBuilder()
        builder.append(prefix)
        builder.appendBase62(random.next(), count: 11)
        builder.appendBase62(random.next(), count: 11)
        builder.appendBase62(random.next(), count: 11)
        return builder.take()
    }
}

/// Origins that are not URLs at all, or barely.
private let garbageOrigins = [
    "javascript:void(0)", "not a url", "%%%E9", "about:blank", "?", "&&&", "=", "null",
    "undefined", "https://", "https://get.fitquiz.app/?utm_source", "https://get.fitquiz.app/?=fb&&=",
    "android-app://com.google.android.gm/", "file:///C:/Users/test/quiz.html",
]

/// Writes a URL with query parameters, in one of the places parameters can live, into a
/// caller's builder.
struct QueryWriter {
    /// Whether spaces in plain values are written as `+` (else `%20`).
    let plusForSpace: Bool
    private var parameterCount = 0

    init(plusForSpace: Bool) {
        self.plusForSpace = plusForSpace
    }

    /// `https://host/path?…`
    func start(host: String, path: String, to builder: inout TextBuilder) {
        builder.append(host)
        builder.append(path)
        builder.append(UInt8(ascii: "?"))
    }

    /// `https://host/#/path?…` (a single-page app route carrying the query).
    func startFragment(host: String, path: String, to builder: inout TextBuilder) {
        builder.append(host)
        builder.append("#/")
        builder.append(path)
        builder.append(UInt8(ascii: "?"))
    }

    /// Parameters only, without scheme, host or `?`.
    func startBare(to builder: inout TextBuilder) {}

    /// Adds `key=value`; `value` is percent-encoded unless `encoded` says it already is.
    mutating func add(_ key: String, _ value: String, encoded: Bool = false, to builder: inout TextBuilder) {
        if parameterCount > 0 { builder.append(UInt8(ascii: "&")) }
        parameterCount += 1
        builder.append(key)
        builder.append(UInt8(ascii: "="))
        if encoded {
            builder.append(value)
        } else {
            builder.appendQueryEncoded(value, plusForSpace: plusForSpace)
        }
    }

    /// Drops a trailing `?` that no parameter followed.
    func finish(_ builder: inout TextBuilder) {
        if parameterCount == 0, builder.bytes.last == UInt8(ascii: "?") {
            builder.removeLast()
        }
    }
}
