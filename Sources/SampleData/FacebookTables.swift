/// Rows of the Facebook Ads and FunnelFox funnel tables, from the shared catalog.
extension SampleWorld {
    /// `facebook_campaigns`: every campaign of the catalog.
    func writeCampaigns<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        for campaign in catalog.campaigns {
            sink.fieldRaw(campaign.id)
            sink.field(campaign.name)
            sink.field(campaign.objective)
            sink.field(campaign.status)
            sink.fieldRaw(catalog.accounts[campaign.accountIndex].id)
            window.appendTimestamp(second: campaign.createdSecond, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// `facebook_adsets`: every ad set of the catalog.
    func writeAdSets<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        for adSet in catalog.adSets {
            sink.fieldRaw(adSet.id)
            sink.fieldRaw(catalog.campaigns[adSet.campaignIndex].id)
            sink.field(adSet.name)
            sink.field(adSet.status)
            window.appendTimestamp(second: adSet.createdSecond, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// `facebook_ads`: every ad of the catalog except the deleted ones.
    func writeAds<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        for ad in catalog.ads where !ad.isDeleted {
            sink.fieldRaw(ad.id)
            sink.fieldRaw(catalog.adSets[ad.adSetIndex].id)
            sink.fieldRaw(catalog.campaigns[ad.campaignIndex].id)
            sink.field(ad.name)
            sink.field(ad.status)
            window.appendTimestamp(second: ad.createdSecond, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// `facebook_ad_statistics`: one row per ad per window day it ran, deleted ads included.
    func writeAdStatistics<Sink: RowSink>(into sink: inout Sink) throws {
        let weekdaySpend = [1.05, 1.0, 1.0, 0.98, 0.95, 0.9, 1.0]
        var builder = TextBuilder()
        for (adIndex, ad) in catalog.ads.enumerated() {
            let firstDay = max(0, ad.firstDay)
            let lastDay = min(TimeWindow.dayCount - 1, ad.lastDay)
            guard firstDay <= lastDay else { continue }
            var random = SeededRandom(seed: seed, stream: .facebookStatistics, index: adIndex)
            let adSet = catalog.adSets[ad.adSetIndex]
            let campaign = catalog.campaigns[ad.campaignIndex]
            let costPerThousand = Double(random.between(600, 2_400))  // cents per 1,000 impressions
            let clickRate = 0.004 + random.unit() * 0.02
            for day in firstDay...lastDay {
                let weekday = (window.firstWeekday + day) % 7
                let spendCents = Int(
                    (Double(ad.dailySpendCents) * spendScale * weekdaySpend[weekday] * (0.55 + random.unit() * 0.9)).rounded())
                let impressions = Int(Double(spendCents) * 1_000 / costPerThousand * (0.9 + random.unit() * 0.2))
                let clicks = Int((Double(impressions) * clickRate * (0.8 + random.unit() * 0.4)).rounded())
                window.appendDate(day: day, to: &builder)
                sink.fieldRaw(builder.take())
                sink.fieldRaw(ad.id)
                sink.fieldRaw(adSet.id)
                sink.fieldRaw(campaign.id)
                sink.field(catalog.campaignName(campaign, onDay: day))
                sink.field(adSet.name)
                sink.field(ad.name)
                builder.appendCents(spendCents)
                sink.fieldRaw(builder.take())
                sink.field(impressions)
                sink.field(clicks)
                sink.fieldRaw(catalog.accounts[campaign.accountIndex].currency)
                try sink.endRow()
            }
        }
    }

    /// `funnelfox_funnels`: the funnels still listed (one funnel that sessions use is gone).
    func writeFunnels<Sink: RowSink>(into sink: inout Sink) throws {
        for funnel in Funnel.listed {
            sink.fieldRaw(funnel.id)
            sink.field(funnel.title)
            sink.field(funnel.type)
            sink.field(funnel.environment)
            sink.field(funnel.version)
            try sink.endRow()
        }
    }
}
