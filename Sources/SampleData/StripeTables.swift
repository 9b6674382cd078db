/// Rows of `funnelfox_subscriptions` and the four Stripe tables, one pass over the sessions
/// per table, each re-deriving the converting sessions' purchases from the seed.
extension SampleWorld {
    /// Salts that keep the random-looking parts of different id kinds apart.
    private enum IdentifierKind: UInt64 {
        case funnelSubscription = 0x1F5B
        case subscription = 0x5B5B
        case charge = 0xC4A6
        case refund = 0x4EF0
        case balanceTransaction = 0x7A70
        case customer = 0xC057
        case otherProvider = 0x9A7A
    }

    /// Appends `prefix` and 24 base-62 characters; unique per `(kind, key)` because the first
    /// eleven characters are a bijection of the key.
    private func appendIdentifier(_ prefix: String, kind: IdentifierKind, key: UInt64, to builder: inout TextBuilder) {
        let salt = mixBits(seed ^ kind.rawValue)
        builder.append(prefix)
        builder.appendBase62(mixBits(key ^ salt), count: 11)
        builder.appendBase62(mixBits(key &+ salt &+ 0x5151), count: 13)
    }

    private func appendCustomerId(profileNumber: Int, to builder: inout TextBuilder) {
        appendIdentifier("cus_", kind: .customer, key: UInt64(profileNumber), to: &builder)
    }

    private func appendSubscriptionId(_ subscription: Purchase.Subscription, to builder: inout TextBuilder) {
        if subscription.isOtherProvider {
            builder.append("I-")
            builder.appendBase62(mixBits(subscription.key ^ IdentifierKind.otherProvider.rawValue ^ seed), count: 11)
        } else {
            appendIdentifier("sub_", kind: .subscription, key: subscription.key, to: &builder)
        }
    }

    /// Calls `body` for every converting session with its plan and purchase.
    private func forEachPurchase(_ body: (SessionPlan, Purchase) throws -> Void) rethrows {
        for index in 0..<sessionCount {
            let plan = SessionPlan(world: self, index: index)
            if plan.converts { try body(plan, Purchase(world: self, plan: plan)) }
        }
    }

    /// `funnelfox_subscriptions`: the funnel's record of each purchase, plus sandbox tests.
    func writeFunnelSubscriptions<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        for index in 0..<sessionCount {
            let plan = SessionPlan(world: self, index: index)
            guard plan.converts || plan.hasSandboxPurchase else { continue }
            plan.appendId(to: &builder)
            let sessionId = builder.take()
            SessionPlan.appendProfileId(plan.profileNumber, seed: seed, to: &builder)
            let profileId = builder.take()
            if plan.hasSandboxPurchase {
                appendIdentifier("ffs_", kind: .funnelSubscription, key: (UInt64(index) << 8) | 0x40, to: &builder)
                sink.fieldRaw(builder.take())
                sink.fieldRaw(sessionId)
                sink.fieldRaw(profileId)
                appendIdentifier("sub_test_", kind: .subscription, key: (UInt64(index) << 8) | 0x40, to: &builder)
                sink.fieldRaw(builder.take())
                sink.fieldRaw("stripe")
                sink.fieldRaw("active")
                sink.field(true)
                window.appendTimestamp(second: min(plan.startSecond + 240, TimeWindow.endSecond - 1), to: &builder)
                sink.fieldRaw(builder.take())
                try sink.endRow()
                continue
            }
            let purchase = Purchase(world: self, plan: plan)
            for subscription in purchase.subscriptions {
                for copy in 0..<(subscription.isRecordedTwice ? 2 : 1) {
                    appendIdentifier(
                        "ffs_", kind: .funnelSubscription, key: subscription.key | (copy == 0 ? 0 : 0x80), to: &builder)
                    sink.fieldRaw(builder.take())
                    if subscription.hasNullSession { sink.nullField() } else { sink.fieldRaw(sessionId) }
                    sink.fieldRaw(profileId)
                    appendSubscriptionId(subscription, to: &builder)
                    sink.fieldRaw(builder.take())
                    sink.fieldRaw(subscription.isOtherProvider ? "paypal" : "stripe")
                    sink.fieldRaw(subscription.funnelStatus)
                    sink.field(false)
                    window.appendTimestamp(second: subscription.second + copy, to: &builder)
                    sink.fieldRaw(builder.take())
                    try sink.endRow()
                }
            }
        }
    }

    /// `stripe_subscriptions`: the Stripe side of every Stripe-paid purchase.
    func writeStripeSubscriptions<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        try forEachPurchase { plan, purchase in
            for subscription in purchase.subscriptions where !subscription.isOtherProvider {
                appendSubscriptionId(subscription, to: &builder)
                sink.fieldRaw(builder.take())
                appendCustomerId(profileNumber: plan.profileNumber, to: &builder)
                sink.fieldRaw(builder.take())
                sink.fieldRaw(subscription.stripeStatus)
                sink.fieldRaw(subscription.plan.interval)
                sink.field(subscription.plan.intervalCount)
                sink.fieldRaw(subscription.currency.code)
                window.appendTimestamp(second: subscription.second, to: &builder)
                sink.fieldRaw(builder.take())
                try sink.endRow()
            }
        }
    }

    /// Calls `body` for every charge with its subscription (nil for a one-off charge).
    private func forEachCharge(
        _ body: (SessionPlan, Purchase, Purchase.Subscription?, Purchase.Charge) throws -> Void
    ) rethrows {
        try forEachPurchase { plan, purchase in
            for subscription in purchase.subscriptions {
                for charge in subscription.charges { try body(plan, purchase, subscription, charge) }
            }
            if let oneOff = purchase.oneOffCharge { try body(plan, purchase, nil, oneOff) }
        }
    }

    /// `stripe_payments`: every charge attempt: failures, retries, pending ones, renewals.
    func writeStripePayments<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        try forEachCharge { plan, purchase, subscription, charge in
            appendIdentifier("ch_", kind: .charge, key: charge.key, to: &builder)
            sink.fieldRaw(builder.take())
            if let subscription {
                appendSubscriptionId(subscription, to: &builder)
                sink.fieldRaw(builder.take())
            } else {
                sink.nullField()
            }
            appendCustomerId(profileNumber: plan.profileNumber, to: &builder)
            sink.fieldRaw(builder.take())
            sink.field(charge.amount)
            sink.fieldRaw(purchase.currency.code)
            sink.fieldRaw(charge.status.rawValue)
            if charge.status == .succeeded {
                appendIdentifier("txn_", kind: .balanceTransaction, key: charge.key << 1, to: &builder)
                sink.fieldRaw(builder.take())
            } else {
                sink.nullField()
            }
            window.appendTimestamp(second: charge.second, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// `stripe_refunds`: full and partial refunds of succeeded charges.
    func writeStripeRefunds<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        try forEachCharge { _, purchase, _, charge in
            guard let refund = charge.refund else { return }
            appendIdentifier("re_", kind: .refund, key: charge.key, to: &builder)
            sink.fieldRaw(builder.take())
            appendIdentifier("ch_", kind: .charge, key: charge.key, to: &builder)
            sink.fieldRaw(builder.take())
            sink.field(refund.amount)
            sink.fieldRaw(purchase.currency.code)
            sink.fieldRaw(refund.status.rawValue)
            if refund.status == .succeeded {
                appendIdentifier("txn_", kind: .balanceTransaction, key: (charge.key << 1) | 1, to: &builder)
                sink.fieldRaw(builder.take())
            } else {
                sink.nullField()
            }
            window.appendTimestamp(second: refund.second, to: &builder)
            sink.fieldRaw(builder.take())
            try sink.endRow()
        }
    }

    /// `stripe_balance_transactions`: settled USD of succeeded charges and refunds, with the
    /// exchange rate for non-USD charges (NULL for USD).
    func writeBalanceTransactions<Sink: RowSink>(into sink: inout Sink) throws {
        var builder = TextBuilder()
        try forEachCharge { _, purchase, _, charge in
            let currency = purchase.currency
            guard charge.status == .succeeded else { return }
            let chargeRate = currency.scaledRate(atSecond: charge.second)
            let amount = currency.usdCents(charge.amount, scaledRate: chargeRate)
            let fee = Int((Double(amount) * (currency.isUSD ? 0.029 : 0.044)).rounded()) + 30
            try writeBalanceTransaction(
                key: charge.key << 1, sourcePrefix: "ch_", sourceKind: .charge, sourceKey: charge.key,
                type: "charge", amount: amount, fee: fee, rate: currency.isUSD ? nil : chargeRate,
                second: charge.second, builder: &builder, sink: &sink)
            if let refund = charge.refund, refund.status == .succeeded {
                let refundRate = currency.scaledRate(atSecond: refund.second)
                let refundAmount = -currency.usdCents(refund.amount, scaledRate: refundRate)
                try writeBalanceTransaction(
                    key: (charge.key << 1) | 1, sourcePrefix: "re_", sourceKind: .refund, sourceKey: charge.key,
                    type: "refund", amount: refundAmount, fee: 0, rate: currency.isUSD ? nil : refundRate,
                    second: refund.second, builder: &builder, sink: &sink)
            }
        }
    }

    private func writeBalanceTransaction<Sink: RowSink>(
        key: UInt64, sourcePrefix: String, sourceKind: IdentifierKind, sourceKey: UInt64, type: String,
        amount: Int, fee: Int, rate: Int?, second: Int, builder: inout TextBuilder, sink: inout Sink
    ) throws {
        appendIdentifier("txn_", kind: .balanceTransaction, key: key, to: &builder)
        sink.fieldRaw(builder.take())
        appendIdentifier(sourcePrefix, kind: sourceKind, key: sourceKey, to: &builder)
        sink.fieldRaw(builder.take())
        sink.fieldRaw(type)
        sink.field(amount)
        sink.field(fee)
        sink.field(amount - fee)
        sink.fieldRaw("usd")
        if let rate {
            builder.appendDecimal(rate / 100_000_000)
            builder.append(UInt8(ascii: "."))
            builder.appendDigits(rate % 100_000_000, width: 8)
            sink.fieldRaw(builder.take())
        } else {
            sink.nullField()
        }
        window.appendTimestamp(second: second, to: &builder)
        sink.fieldRaw(builder.take())
        try sink.endRow()
    }
}
