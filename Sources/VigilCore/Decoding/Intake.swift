/// The front door of the pipeline: finds the route for a topic, decodes the payload, names the
/// asset and signal, and checks every value, turning one MQTT message into readings or a rejection.
public struct Intake: Sendable {
    /// The configured routes, tried in order; the first whose pattern matches wins.
    public let routes: [SignalRoute]
    /// The payload decoder with its limits.
    public let decoder: PayloadDecoder

    /// Creates an intake.
    public init(routes: [SignalRoute], limits: DecodingLimits = DecodingLimits()) {
        self.routes = routes
        self.decoder = PayloadDecoder(limits: limits)
    }

    /// The distinct MQTT filters to subscribe to, in route order.
    public var subscriptionFilters: [String] {
        var seen: Set<String> = []
        return routes.map(\.pattern.subscriptionFilter).filter { seen.insert($0).inserted }
    }

    /// Turns one message into readings.
    /// - Parameters:
    ///   - topic: the concrete topic the message arrived on.
    ///   - payload: its bytes.
    ///   - arrival: when it arrived (the time of values that carry none).
    /// - Returns: the readings, or the rejection with its reason.
    public func readings(topic: String, payload: [UInt8], arrival: Timestamp) -> Result<[Reading], Rejection> {
        guard let (route, captures) = match(topic) else {
            return .failure(Rejection(.unknownTopic, "no configured signal matches the topic"))
        }
        for (name, value) in captures where !NamePolicy.isValid(value) {
            return .failure(Rejection(.invalidName, "captured \(name) fails ^[A-Za-z0-9_.-]{1,64}$"))
        }
        let asset = TopicPattern.expand(route.asset, with: captures)
        guard NamePolicy.isValid(asset) else {
            return .failure(Rejection(.invalidName, "asset name fails ^[A-Za-z0-9_.-]{1,64}$"))
        }
        let values: [PayloadDecoder.Value]
        do {
            values = try decoder.decode(payload, as: route.format, arrival: arrival, maxFutureSkew: route.maxFutureSkew)
        } catch {
            return .failure(error)
        }
        var readings: [Reading] = []
        readings.reserveCapacity(values.count)
        for value in values {
            let signal: String
            if let name = value.name {
                signal = name
            } else if let template = route.signal {
                signal = TopicPattern.expand(template, with: captures)
            } else {
                return .failure(Rejection(.missingField, "the payload names no signal"))
            }
            guard NamePolicy.isValid(signal) else {
                return .failure(Rejection(.invalidName, "signal name fails ^[A-Za-z0-9_.-]{1,64}$"))
            }
            if let range = route.range, !range.contains(value.value) {
                return .failure(
                    Rejection(
                        .outOfRange,
                        "\(signal)=\(value.value) is outside \(range.lowerBound)...\(range.upperBound)"
                    )
                )
            }
            readings.append(
                Reading(
                    asset: asset,
                    signal: signal,
                    value: value.value,
                    time: value.time,
                    profile: route.profile,
                    stamped: value.stamped
                )
            )
        }
        return .success(readings)
    }

    /// The asset a topic names and its entry, without decoding anything; nil when no route matches
    /// or a captured name fails the name rule.
    public func asset(of topic: String) -> (name: String, profile: Int)? {
        guard let (route, captures) = match(topic), captures.values.allSatisfy(NamePolicy.isValid) else { return nil }
        let asset = TopicPattern.expand(route.asset, with: captures)
        return NamePolicy.isValid(asset) ? (asset, route.profile) : nil
    }

    private func match(_ topic: String) -> (SignalRoute, [String: String])? {
        for route in routes {
            if let captures = route.pattern.match(topic) { return (route, captures) }
        }
        return nil
    }
}
