public import VigilCore

/// Turns what the daemon recorded, each asset's remaining-life steps and its maintenance labels,
/// into run histories: an asset's steps are cut at its labels, a segment that ends at a failure
/// label is a run to failure, and every other segment (ended by a repair, or still running) is
/// right-censored.
public enum RunSegments {
    /// One recorded step.
    public struct Step: Sendable, Hashable {
        /// The asset.
        public var asset: String
        /// Start of the step.
        public var time: Timestamp
        /// The step's values, in `columns` order.
        public var values: [Double]

        /// Creates a step.
        public init(asset: String, time: Timestamp, values: [Double]) {
            self.asset = asset
            self.time = time
            self.values = values
        }
    }

    /// The histories of the recorded steps (all in `columns` order) cut at the labels.
    public static func histories(
        steps: [Step],
        labels: [MaintenanceLabel],
        columns: [String],
        settings: [String],
        source: String
    ) -> RunHistories {
        var units: [UnitRun] = []
        let byAsset = Dictionary(grouping: steps, by: \.asset)
        for asset in byAsset.keys.sorted() {
            let assetSteps = byAsset[asset]!.sorted { $0.time < $1.time }
            let cuts = labels.filter { $0.asset == asset }.sorted { $0.time < $1.time }
            var segment = 0
            var current = UnitRun(unit: "\(asset)#1", times: [], values: [], failed: false)
            var nextCut = 0
            func close(failed: Bool) {
                if !current.values.isEmpty {
                    current.failed = failed
                    units.append(current)
                }
                segment += 1
                current = UnitRun(unit: "\(asset)#\(segment + 1)", times: [], values: [], failed: false)
            }
            for step in assetSteps {
                while nextCut < cuts.count, cuts[nextCut].time <= step.time {
                    close(failed: cuts[nextCut].event == .failure)
                    nextCut += 1
                }
                current.times.append(Double(step.time.milliseconds) / 1000)
                current.values.append(step.values)
            }
            if nextCut < cuts.count {
                close(failed: cuts[nextCut].event == .failure)
            } else {
                close(failed: false)
            }
        }
        return RunHistories(
            columns: columns,
            settings: settings,
            units: units,
            stepUnit: "step",
            digest: "",
            sources: [source]
        )
    }
}
