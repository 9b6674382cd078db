/// What a converting session bought and what Stripe then recorded: subscriptions, their
/// charges (first payment, retries, renewals), refunds and the settled money.
///
/// Derived from `(seed, session index)` alone, so each Stripe table can be written in its
/// own pass over the sessions without keeping anything between passes.
struct Purchase {
    enum ChargeStatus: String {
        case succeeded, failed, pending
    }

    enum RefundStatus: String {
        case succeeded, pending, failed, canceled
    }

    struct Refund {
        let second: Int
        let amount: Int
        let status: RefundStatus
    }

    struct Charge {
        /// Unique key of the charge (session, subscription slot, sequence).
        let key: UInt64
        let second: Int
        let amount: Int
        let status: ChargeStatus
        let refund: Refund?
    }

    struct Subscription {
        /// Unique key of the subscription (session, slot).
        let key: UInt64
        let second: Int
        let plan: Plan
        let currency: Currency
        let stripeStatus: String
        let funnelStatus: String
        /// Paid through another provider: its id does not join to Stripe, which has no rows.
        let isOtherProvider: Bool
        /// FunnelFox lost the session link (older rows).
        let hasNullSession: Bool
        /// FunnelFox recorded this purchase twice (same psp id, two rows).
        let isRecordedTwice: Bool
        let charges: [Charge]
    }

    let subscriptions: [Subscription]
    /// A one-off purchase (charge without subscription), or nil.
    let oneOffCharge: Charge?
    let currency: Currency

    init(world: SampleWorld, plan: SessionPlan) {
        var random = SeededRandom(seed: world.seed, stream: .purchase, index: plan.index)
        currency = Currency.forCountryCode(Geography.countries[plan.countryIndex].currency)
        let delayDraw = random.unit()
        var conversionSecond = plan.startSecond
        if delayDraw < 0.7 {
            conversionSecond += random.between(120, 1_800)
        } else if delayDraw < 0.92 {
            conversionSecond += random.between(1_800, 6 * 3_600)
        } else {
            conversionSecond += random.between(6 * 3_600, 14 * TimeWindow.secondsPerDay)
        }
        if conversionSecond >= TimeWindow.endSecond {
            conversionSecond = min(plan.startSecond + 300, TimeWindow.endSecond - 1)
        }
        var subscriptions: [Subscription] = []
        let extraSubscription = random.chance(0.03)
        for slot in 0..<(extraSubscription ? 2 : 1) {
            let second = conversionSecond + slot * random.between(60, 900)
            subscriptions.append(
                Purchase.makeSubscription(
                    key: (UInt64(plan.index) << 8) | UInt64(slot), second: min(second, TimeWindow.endSecond - 1),
                    currency: currency, isUpsell: slot > 0, random: &random))
        }
        subscriptions.sort { $0.second < $1.second }
        self.subscriptions = subscriptions
        if random.chance(0.02) {
            let second = min(conversionSecond + random.between(60, 600), TimeWindow.endSecond - 1)
            oneOffCharge = Charge(
                key: (UInt64(plan.index) << 16) | (0xFF << 8), second: second,
                amount: currency.price(for: .oneOff), status: .succeeded, refund: nil)
        } else {
            oneOffCharge = nil
        }
    }

    private static func makeSubscription(
        key: UInt64, second: Int, currency: Currency, isUpsell: Bool, random: inout SeededRandom
    ) -> Subscription {
        let planDraw = random.unit()
        let plan: Plan
        if isUpsell {
            plan = .month
        } else if planDraw < 0.2 {
            plan = .week
        } else if planDraw < 0.65 {
            plan = .month
        } else if planDraw < 0.8 {
            plan = .quarter
        } else {
            plan = .year
        }
        let isOtherProvider = random.chance(0.03)
        let hasTrial = plan != .week && random.chance(0.2)
        let introDiscount = random.chance(0.3)
        var charges: [Charge] = []
        var status = hasTrial ? "trialing" : "active"
        var chargeSecond = second + (hasTrial ? 7 * TimeWindow.secondsPerDay : 0)
        var sequence: UInt64 = 0
        var isFirst = true
        func addCharge(at moment: Int, amount: Int, status: ChargeStatus, random: inout SeededRandom) {
            var refund: Refund?
            if status == .succeeded, random.chance(0.035) {
                let refundSecond = moment + random.between(3_600, 10 * TimeWindow.secondsPerDay)
                if refundSecond < TimeWindow.endSecond {
                    let refundAmount = random.chance(0.65) ? amount : max(1, amount * random.between(20, 70) / 100)
                    let statusDraw = random.unit()
                    let refundStatus: RefundStatus =
                        statusDraw < 0.9 ? .succeeded : statusDraw < 0.95 ? .pending : statusDraw < 0.98 ? .failed : .canceled
                    refund = Refund(second: refundSecond, amount: refundAmount, status: refundStatus)
                }
            }
            charges.append(
                Charge(key: (key << 8) | sequence, second: moment, amount: amount, status: status, refund: refund))
            sequence += 1
        }
        chargeLoop: while chargeSecond < TimeWindow.endSecond && !isOtherProvider && sequence < 200 {
            let fullPrice = currency.price(for: plan)
            let amount = isFirst && introDiscount ? currency.discounted(fullPrice) : fullPrice
            let outcome = random.unit()
            if isFirst {
                if outcome < 0.84 {
                    addCharge(at: chargeSecond, amount: amount, status: .succeeded, random: &random)
                } else if outcome < 0.92 {
                    // Card declined, then a second card or a retry goes through.
                    addCharge(at: chargeSecond, amount: amount, status: .failed, random: &random)
                    addCharge(at: chargeSecond + random.between(60, 3_600), amount: amount, status: .succeeded, random: &random)
                } else if outcome < 0.94 {
                    addCharge(at: chargeSecond, amount: amount, status: .pending, random: &random)
                    status = "incomplete"
                    break chargeLoop
                } else {
                    addCharge(at: chargeSecond, amount: amount, status: .failed, random: &random)
                    addCharge(at: chargeSecond + random.between(60, 3_600), amount: amount, status: .failed, random: &random)
                    status = hasTrial ? "past_due" : "incomplete_expired"
                    break chargeLoop
                }
            } else {
                if outcome < 0.9 {
                    addCharge(at: chargeSecond, amount: amount, status: .succeeded, random: &random)
                } else if outcome < 0.95 {
                    addCharge(at: chargeSecond, amount: amount, status: .failed, random: &random)
                    addCharge(at: chargeSecond + TimeWindow.secondsPerDay, amount: amount, status: .succeeded, random: &random)
                } else {
                    addCharge(at: chargeSecond, amount: amount, status: .failed, random: &random)
                    status = "past_due"
                    break chargeLoop
                }
            }
            status = "active"
            isFirst = false
            if random.chance(0.12) {
                status = "canceled"
                break chargeLoop
            }
            chargeSecond += plan.periodSeconds + random.between(0, 600)
        }
        let funnelStatus: String
        switch status {
        case "trialing": funnelStatus = "trialing"
        case "canceled": funnelStatus = "cancelled"
        case "past_due": funnelStatus = "unpaid"
        case "incomplete_expired": funnelStatus = "expired"
        case "incomplete": funnelStatus = "created"
        default: funnelStatus = "active"
        }
        return Subscription(
            key: key, second: second, plan: plan, currency: currency, stripeStatus: status,
            funnelStatus: funnelStatus, isOtherProvider: isOtherProvider, hasNullSession: random.chance(0.05),
            isRecordedTwice: random.chance(0.01), charges: charges)
    }
}

/// A subscription plan: Stripe's interval and interval count.
enum Plan {
    case week, month, quarter, year, oneOff

    var interval: String {
        switch self {
        case .week: return "week"
        case .month, .quarter, .oneOff: return "month"
        case .year: return "year"
        }
    }

    var intervalCount: Int { self == .quarter ? 3 : 1 }

    /// Approximate seconds between renewals.
    var periodSeconds: Int {
        switch self {
        case .week: return 7 * TimeWindow.secondsPerDay
        case .month, .oneOff: return 30 * TimeWindow.secondsPerDay
        case .quarter: return 91 * TimeWindow.secondsPerDay
        case .year: return 365 * TimeWindow.secondsPerDay
        }
    }
}

/// A charge currency with its prices and its conversion into the USD settlement currency.
struct Currency {
    /// Lower-case ISO code, as Stripe sends it.
    let code: String
    /// Minor units per major unit (1 for zero-decimal currencies such as JPY).
    let minorPerMajor: Int
    /// Prices in minor units: week, month, quarter, year, one-off.
    let prices: [Int]
    /// USD per major unit, around which daily rates move.
    let usdRate: Double

    static let all: [Currency] = [
        Currency(code: "usd", minorPerMajor: 100, prices: [999, 2_999, 5_999, 9_999, 1_999], usdRate: 1),
        Currency(code: "eur", minorPerMajor: 100, prices: [999, 2_799, 5_499, 8_999, 1_799], usdRate: 1.08),
        Currency(code: "gbp", minorPerMajor: 100, prices: [899, 2_499, 4_999, 7_999, 1_599], usdRate: 1.27),
        Currency(code: "cad", minorPerMajor: 100, prices: [1_299, 3_999, 7_999, 12_999, 2_499], usdRate: 0.73),
        Currency(code: "aud", minorPerMajor: 100, prices: [1_499, 4_499, 8_999, 14_999, 2_999], usdRate: 0.66),
        Currency(code: "jpy", minorPerMajor: 1, prices: [1_500, 4_500, 9_000, 15_000, 3_000], usdRate: 0.0067),
    ]

    static func forCountryCode(_ code: String) -> Currency {
        all.first { $0.code == code } ?? all[0]
    }

    var isUSD: Bool { code == "usd" }

    func price(for plan: Plan) -> Int {
        switch plan {
        case .week: return prices[0]
        case .month: return prices[1]
        case .quarter: return prices[2]
        case .year: return prices[3]
        case .oneOff: return prices[4]
        }
    }

    /// Half price, rounded to a whole major unit for zero-decimal currencies.
    func discounted(_ amount: Int) -> Int {
        minorPerMajor == 1 ? (amount / 2 / 10) * 10 : amount / 2
    }

    /// The exchange rate of a moment, in units of 10⁻⁸ USD per major unit.
    func scaledRate(atSecond second: Int) -> Int {
        let day = Double(floorDivide(second, TimeWindow.secondsPerDay))
        let phase = Double(minorPerMajor + code.utf8.count * 7)
        let drift = 1 + 0.018 * sinApproximation(day * 0.19 + phase)
        return Int((usdRate * drift * 100_000_000).rounded())
    }

    /// An amount of this currency in USD cents at a scaled rate (USD amounts pass through).
    func usdCents(_ amount: Int, scaledRate: Int) -> Int {
        if isUSD { return amount }
        let numerator = Double(amount) * Double(scaledRate) * 100
        return Int((numerator / Double(minorPerMajor * 100_000_000)).rounded())
    }
}

/// A smooth periodic function in -1…1 with period 2π (a parabola approximation of sine);
/// avoids libm so the figures are the same on every platform.
func sinApproximation(_ angle: Double) -> Double {
    let twoPi = 6.283185307179586
    var x = angle - (angle / twoPi).rounded(.down) * twoPi  // 0..<2π
    x -= 3.141592653589793  // -π..<π
    let value = 4 / 3.141592653589793 * x - 4 / (3.141592653589793 * 3.141592653589793) * x * (x < 0 ? -x : x)
    return -value
}
