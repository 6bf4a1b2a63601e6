/// The pipeline's predictions: each asset of an entry with `prognosis` gets an `AssetPrognosis`
/// that sees every scored tick after its detector.
struct PrognosisState: Sendable {
    var assets: [String: AssetPrognosis] = [:]
    var profileOf: [String: Int] = [:]
    /// Remaining-life models that replaced an entry's configured one (retrained on the gateway).
    var models: [Int: RemainingLifeModel] = [:]
    /// Open `fault_predicted` alarms of an earlier run, by asset.
    var restoredAlarms: [String: AlarmStateMachine.OpenAlarm] = [:]
    /// The lives recorded by an earlier run, by asset.
    var restoredLives: [String: RecordedLife] = [:]
}

extension Pipeline {
    /// Starts the predictions of a new asset, if its entry has any.
    mutating func startPrognosis(of asset: String, profile: Int) {
        guard let plan = profiles[profile].prognosis else { return }
        var prognosis = AssetPrognosis(asset: asset, plan: plan)
        if let alarm = prognoses.restoredAlarms.removeValue(forKey: asset) { prognosis.restoreAlarm(alarm) }
        if let life = prognoses.restoredLives.removeValue(forKey: asset) {
            prognosis.restore(life, model: remainingLifeModel(profile: profile))
        }
        prognoses.assets[asset] = prognosis
        prognoses.profileOf[asset] = profile
    }

    /// Drops an asset's predictions and what an earlier run left for them (the asset is forgotten).
    mutating func forgetPrognosis(of asset: String) {
        prognoses.assets[asset] = nil
        prognoses.profileOf[asset] = nil
        prognoses.restoredAlarms[asset] = nil
        prognoses.restoredLives[asset] = nil
    }

    /// Feeds a scored tick to its asset's predictions.
    mutating func observePrognosis(_ tick: Tick, detection: Detection, into outputs: inout [PipelineOutput]) {
        guard var prognosis = prognoses.assets[tick.asset], let profile = prognoses.profileOf[tick.asset] else {
            return
        }
        var forecasts: [String: Double] = [:]
        for contribution in detection.contributions where contribution.expected.isFinite {
            forecasts[contribution.signal] = contribution.expected
        }
        outputs += prognosis.observe(tick, forecasts: forecasts, model: remainingLifeModel(profile: profile))
        prognoses.assets[tick.asset] = prognosis
    }

    /// The remaining-life model an entry uses now: a retrained one, or the configured one.
    public func remainingLifeModel(profile: Int) -> RemainingLifeModel? {
        prognoses.models[profile] ?? profiles[profile].prognosis?.remainingLife
    }

    /// Replaces an entry's remaining-life model (a retrained one that validated no worse); every
    /// asset of the entry estimates with it from its next step.
    public mutating func replaceRemainingLifeModel(profile: Int, with estimator: any RemainingLifeEstimator) {
        guard let current = profiles[profile].prognosis?.remainingLife else { return }
        prognoses.models[profile] = RemainingLifeModel(estimator: estimator, step: current.step)
    }

    /// Continues `fault_predicted` alarms that were open when the daemon last stopped.
    public mutating func restore(predictionAlarms: [String: AlarmStateMachine.OpenAlarm]) {
        prognoses.restoredAlarms.merge(predictionAlarms) { _, new in new }
    }

    /// Continues remaining-life estimates from the lives an earlier run recorded; a life recorded
    /// for other columns than the model's is passed over.
    public mutating func restore(lives: [String: RecordedLife]) {
        prognoses.restoredLives.merge(lives) { _, new in new }
    }

    /// Whether an asset is known: seen, or named in the configuration without captures.
    public func knows(asset: String) -> Bool {
        assetNames.contains(asset) || profiles.contains { $0.name == asset && !$0.name.contains("{") }
    }

    /// The open `fault_predicted` alarm of an asset, if any.
    public func openPredictionAlarm(of asset: String) -> AlarmStateMachine.OpenAlarm? {
        prognoses.assets[asset]?.alarm.openAlarm
    }

    /// Takes a maintenance label: after a failure or a repair, a new life starts and the asset's
    /// predictions start afresh.
    public mutating func apply(_ label: MaintenanceLabel) {
        guard var prognosis = prognoses.assets[label.asset] else { return }
        prognosis.reset()
        prognoses.assets[label.asset] = prognosis
    }

    /// The assets of an entry that have predictions (seen so far).
    public func prognosisAssets(ofProfile profile: Int) -> [String] {
        prognoses.profileOf.filter { $0.value == profile }.keys.sorted()
    }

    /// The index of the entry an asset belongs to, once seen.
    public func profileIndex(of asset: String) -> Int? {
        prognoses.profileOf[asset]
    }
}
