public import VigilCore

extension VigilConfiguration {
    /// The intake routes: one per signal, in file order, each tagged with its asset entry.
    public var routes: [SignalRoute] {
        assets.enumerated().flatMap { profile, asset in
            asset.signals.map { signal in
                SignalRoute(
                    pattern: signal.topic,
                    asset: asset.name,
                    signal: signal.name,
                    format: signal.format,
                    range: signal.range,
                    profile: profile,
                    maxFutureSkew: asset.maxClockSkew?.duration
                )
            }
        }
    }

    /// The asset profiles, indexed like `Reading.profile`.
    public var profiles: [AssetProfile] {
        assets.map { asset in
            var minDeviation: [String: Double] = [:]
            for signal in asset.signals {
                if let name = signal.name, let deviation = signal.minDeviation { minDeviation[name] = deviation }
            }
            return AssetProfile(
                name: asset.name,
                tick: asset.tick?.duration,
                maxHold: asset.hold,
                maxAssets: asset.maxAssets,
                maxSignals: asset.maxSignals,
                maxRate: asset.maxRate,
                detector: asset.detector.choice(minDeviation: minDeviation),
                alarm: asset.alarm.policy,
                prognosis: asset.prognosisPlan
            )
        }
    }

    /// The payload limits.
    public var decodingLimits: DecodingLimits {
        DecodingLimits(maxPayloadBytes: limits.maxPayloadBytes, maxFutureSkew: limits.maxClockSkew.duration)
    }
}
