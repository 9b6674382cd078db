/// Rows of `amplitude_events`: 10–30 events per session (most sessions about 14), with the
/// tracking faults the mart must tolerate.
extension SampleWorld {
    /// Event types in the middle of a funnel, with repeats for weight.
    private static let middleEventTypes = [
        "question_answered", "question_answered", "question_answered", "question_answered",
        "screen_view", "screen_view", "button_clicked", "scroll_depth_50", "info_screen_viewed",
        "goal_selected",
    ]

    /// `amplitude_events`: every event of the given sessions, duplicates included.
    ///
    /// Disjoint ranges of sessions give disjoint events, so several connections can load
    /// the table side by side.
    func writeEvents<Sink: RowSink>(ofSessions sessions: Range<Int>, into sink: inout Sink) throws {
        var builder = TextBuilder()
        for index in sessions {
            let plan = SessionPlan(world: self, index: index)
            var random = SeededRandom(seed: seed, stream: .sessionEvents, index: index)
            // Tracking blocked: no events at all for a few sessions.
            if random.chance(0.04) { continue }
            let eventCount = random.chance(0.05) ? random.between(10, 30) : random.between(10, 18)
            let device = DeviceProfile.all[plan.deviceIndex]
            let geography = Geography.countries[plan.countryIndex]
            let city = random.chance(0.03) ? random.element(of: geography.cities) : geography.cities[plan.index % geography.cities.count]
            // The SDK was not initialised with the session in a few sessions: no ff_session_id anywhere.
            let sessionUntracked = random.chance(0.01)
            // At most one event of the session carries a malformed session reference.
            let malformedKind = random.unit()
            let malformedPosition = malformedKind < 0.012 ? random.between(1, eventCount - 1) : -1
            var sessionId = TextBuilder(capacity: 36)
            plan.appendId(to: &sessionId)
            SessionPlan.appendProfileId(plan.profileNumber, seed: seed, to: &builder)
            let profileId = builder.take()
            let deviceWord = mixBits(UInt64(plan.profileNumber) ^ 0xDE71CE ^ seed)
            builder.appendUUID(high: deviceWord, low: mixBits(deviceWord))
            let deviceId = builder.take()
            // device_id … city: the same for every event of the session.
            builder.append(deviceId)
            for value in [device.platform, device.osName, device.osVersion, geography.name, city] {
                builder.append(UInt8(ascii: "\t"))
                builder.append(value)
            }
            let deviceColumns = builder.bytes
            builder.reset()
            let identifyPosition = eventCount - 2
            var millisecond = plan.startSecond * 1_000 - random.between(500, 8_000)
            for position in 0..<eventCount {
                let eventType: String
                if position == 0 {
                    eventType = "page_view"
                } else if position == 1 {
                    eventType = "funnel_started"
                } else if position == eventCount - 1 {
                    eventType = plan.converts ? "purchase_completed" : "paywall_viewed"
                } else if position == identifyPosition {
                    eventType = "email_submitted"
                } else {
                    eventType = random.element(of: SampleWorld.middleEventTypes)
                }
                // The whole row as COPY text; every value is plain text without backslash,
                // tab or line break.
                let eventKey = (UInt64(index) << 8) | UInt64(position)
                builder.appendUUID(high: mixBits(eventKey ^ (seed &* 0xE703_7ED1_A0B4_28DB)), low: random.next())
                builder.append(UInt8(ascii: "\t"))
                builder.append(eventType)
                builder.append(UInt8(ascii: "\t"))
                window.appendTimestamp(millisecond: millisecond, to: &builder)
                builder.append(UInt8(ascii: "\t"))
                builder.append(position > identifyPosition ? profileId : "\\N")
                builder.append(UInt8(ascii: "\t"))
                builder.append(deviceColumns)
                builder.append(UInt8(ascii: "\t"))
                // Event properties.
                builder.append(UInt8(ascii: "{"))
                let omitted = sessionUntracked || (position == 0 ? random.chance(0.7) : random.chance(0.06))
                if position == malformedPosition {
                    builder.append("\"ff_session_id\":")
                    if malformedKind < 0.005 {
                        builder.appendDecimal(100_000_000 + random.below(900_000_000))
                    } else if malformedKind < 0.008 {
                        builder.append("{\"id\":\"")
                        builder.append(sessionId.bytes)
                        builder.append("\"}")
                    } else {
                        // A session id that names no session.
                        builder.append(UInt8(ascii: "\""))
                        builder.appendUUID(high: mixBits((UInt64(index) | (1 << 62)) ^ (seed &* 0xA24B_AED4_963E_E407)), low: random.next())
                        builder.append(UInt8(ascii: "\""))
                    }
                    builder.append(",")
                } else if !omitted {
                    builder.append("\"ff_session_id\":\"")
                    builder.append(sessionId.bytes)
                    builder.append("\",")
                }
                builder.append("\"step\":")
                builder.appendDecimal(position)
                if eventType == "question_answered" {
                    builder.append(",\"answer\":\"")
                    builder.append(UInt8(ascii: "a") + UInt8(random.below(4)))
                    builder.append(UInt8(ascii: "\""))
                }
                builder.append(UInt8(ascii: "}"))
                let row = builder.take()
                let copies = random.chance(0.006) ? 2 : 1
                for _ in 0..<copies {
                    sink.fieldsRaw(row)
                    try sink.endRow()
                }
                millisecond += random.between(1_500, 45_000)
            }
        }
    }
}
