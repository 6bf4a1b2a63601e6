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
                tick: asset.tick.duration,
                maxHold: asset.hold,
                maxAssets: asset.maxAssets,
                maxSignals: asset.maxSignals,
                maxRate: asset.maxRate,
                detector: asset.detector.choice(minDeviation: minDeviation),
                alarm: AlarmPolicy(
                    threshold: asset.alarm.threshold,
                    minDuration: asset.alarm.minDuration,
                    clearBelow: asset.alarm.clearBelow,
                    clearAfter: asset.alarm.clearAfter,
                    cooldown: asset.alarm.cooldown.duration,
                    criticalAbove: asset.alarm.criticalAbove
                )
            )
        }
    }

    /// The payload limits.
    public var decodingLimits: DecodingLimits {
        DecodingLimits(maxPayloadBytes: limits.maxPayloadBytes, maxFutureSkew: limits.maxClockSkew.duration)
    }
}

extension DetectorSettings {
    /// The pipeline's detector for these settings.
    func choice(minDeviation: [String: Double]) -> DetectorChoice {
        let robust = RobustStatisticsDetector.Settings(
            window: window,
            warmup: kind == "lstm" ? fallbackWarmup : warmup,
            zScale: zScale,
            stuckAfter: stuckAfter,
            minDeviation: minDeviation
        )
        guard kind == "lstm" else { return .robustStatistics(robust) }
        return .lstm(
            LSTMDetector.Settings(
                warmup: warmup,
                activationDelay: activationDelay,
                retrainEvery: retrainEvery,
                history: history,
                forecast: ForecastSettings(
                    kind: network,
                    hidden: hidden,
                    window: trainWindow,
                    epochs: epochs,
                    learningRate: learningRate,
                    seed: seed,
                    independentSignals: independentSignals,
                    autoregressive: autoregressive,
                    ridge: ridge
                ),
                method: calibration,
                calibration: CalibrationSettings(
                    averaging: averaging,
                    history: calibrationHistory,
                    suppression: suppression,
                    rangeTolerance: rangeTolerance,
                    quiet: calibrationWarmup,
                    patternWindow: patternWindow,
                    patternMemory: patternMemory,
                    recordMargin: recordMargin
                ),
                shift: ShiftCalibrator.Settings(limit: shiftLimit),
                fallback: robust,
                minDeviation: minDeviation,
                seasonal: seasonal
            )
        )
    }
}
