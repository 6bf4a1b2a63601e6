/// The alarm of one asset: turns a stream of scored ticks into raised, updated and cleared events.
///
/// Raising needs `minDuration` consecutive ticks at or over the threshold and no cooldown; an open
/// alarm is `updated` when its severity rises; it clears after `clearAfter` consecutive ticks below
/// `clearBelow`. Alarm ids are derived from the asset and the raise time, so a replay of the same
/// data produces the same ids.
public struct AlarmStateMachine: Sendable {
    /// An open alarm.
    public struct OpenAlarm: Hashable, Sendable, Codable {
        /// Its stable id.
        public var id: String
        /// What it reports.
        public var kind: EventKind
        /// Current severity.
        public var severity: Severity
        /// First tick over the threshold.
        public var windowStart: Timestamp
        /// Highest score so far.
        public var peakScore: Double

        /// Creates an open alarm (as restored from storage).
        public init(id: String, kind: EventKind, severity: Severity, windowStart: Timestamp, peakScore: Double) {
            self.id = id
            self.kind = kind
            self.severity = severity
            self.windowStart = windowStart
            self.peakScore = peakScore
        }
    }

    private enum State: Sendable {
        case idle(aboveSince: Timestamp?, aboveCount: Int)
        case active(OpenAlarm, belowCount: Int)
    }

    /// The asset.
    public let asset: String
    /// The policy.
    public let policy: AlarmPolicy
    /// What alarm ids start with: the asset, or for a second alarm of the same asset (its
    /// predictions) the asset and a tag, so that two alarms raised at one tick differ.
    public let idPrefix: String
    private var state: State = .idle(aboveSince: nil, aboveCount: 0)
    private var lastCleared: Timestamp?

    /// Creates the alarm of an asset.
    public init(asset: String, policy: AlarmPolicy, idPrefix: String? = nil) {
        self.asset = asset
        self.policy = policy
        self.idPrefix = idPrefix ?? asset
    }

    /// The open alarm, if any.
    public var openAlarm: OpenAlarm? {
        if case .active(let alarm, _) = state { alarm } else { nil }
    }

    /// Feeds one scored tick; returns the event it causes, if any.
    public mutating func update(time: Timestamp, detection: Detection, detector: String) -> Event? {
        // Alarms follow the level: a detector that reports only the onset of an excursion in
        // `score` still raises after `minDuration` ticks and keeps the alarm open while it lasts.
        let score = max(detection.level, detection.score)
        switch state {
        case .idle(let aboveSince, let aboveCount):
            guard score >= policy.threshold else {
                state = .idle(aboveSince: nil, aboveCount: 0)
                return nil
            }
            let since = aboveSince ?? time
            let count = aboveCount + 1
            let coolingDown = lastCleared.map { time < $0 + policy.cooldown } ?? false
            guard count >= policy.minDuration, !coolingDown else {
                state = .idle(aboveSince: since, aboveCount: count)
                return nil
            }
            let alarm = OpenAlarm(
                id: "\(idPrefix)-\(String(since.milliseconds, radix: 36))",
                kind: detection.kind,
                severity: severity(score),
                windowStart: since,
                peakScore: score
            )
            state = .active(alarm, belowCount: 0)
            return event(alarm, .raised, time: time, detection: detection, detector: detector)
        case .active(var alarm, let belowCount):
            let level = score
            alarm.peakScore = max(alarm.peakScore, level)
            if level < policy.clearBelow {
                if belowCount + 1 >= policy.clearAfter {
                    state = .idle(aboveSince: nil, aboveCount: 0)
                    lastCleared = time
                    return event(alarm, .cleared, time: time, detection: detection, detector: detector)
                }
                state = .active(alarm, belowCount: belowCount + 1)
                return nil
            }
            let newSeverity = severity(level)
            if newSeverity > alarm.severity {
                alarm.severity = newSeverity
                state = .active(alarm, belowCount: 0)
                return event(alarm, .updated, time: time, detection: detection, detector: detector)
            }
            state = .active(alarm, belowCount: 0)
            return nil
        }
    }

    /// Closes the open alarm because the operator accepted the behaviour as the new normal; returns
    /// its `cleared` event (detector `operator`), or nil when no alarm was open.
    public mutating func accept(time: Timestamp) -> Event? {
        guard case .active(let alarm, _) = state else {
            state = .idle(aboveSince: nil, aboveCount: 0)
            return nil
        }
        state = .idle(aboveSince: nil, aboveCount: 0)
        lastCleared = time
        return event(
            alarm,
            .cleared,
            time: time,
            detection: Detection(score: 0, kind: alarm.kind, contributions: []),
            detector: "operator"
        )
    }

    /// Restores an alarm that was open when the daemon stopped, so it is not raised again.
    public mutating func restore(_ alarm: OpenAlarm) {
        state = .active(alarm, belowCount: 0)
    }

    private func severity(_ score: Double) -> Severity {
        score >= policy.criticalAbove ? .critical : .warning
    }

    private func event(
        _ alarm: OpenAlarm,
        _ transition: AlarmTransition,
        time: Timestamp,
        detection: Detection,
        detector: String
    ) -> Event {
        Event(
            alarmID: alarm.id,
            asset: asset,
            kind: alarm.kind,
            transition: transition,
            severity: alarm.severity,
            score: max(detection.score, detection.level),
            peakScore: alarm.peakScore,
            time: time,
            windowStart: alarm.windowStart,
            windowEnd: time,
            contributions: detection.contributions,
            detector: detector
        )
    }
}
