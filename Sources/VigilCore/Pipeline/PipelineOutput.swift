/// Something the pipeline produced from a reading.
public enum PipelineOutput: Hashable, Sendable {
    /// An alarm changed state.
    case event(Event)
    /// An asset's published state changed.
    case assetState(asset: String, state: AssetState)
    /// The first readings of an asset showed how often they come: its `tick` is that spacing when
    /// no tick was `configured`, else the configured one, which may differ from it.
    case tickFound(asset: String, tick: Duration, dataSpacing: Duration, configured: Bool)
    /// A tick was scored (only from a pipeline made with `reportsScores`, e.g. for a replay).
    case scored(asset: String, time: Timestamp, score: Double, alarm: Bool)
    /// An asset's predictions, for its retained prognosis topic.
    case prognosis(PrognosisReport)
    /// A step of an asset's remaining-life model was completed (kept for retraining and restarts).
    case prognosisStep(asset: String, time: Timestamp, columns: [String], values: [Double])
}
