public import VigilCore

/// One completed step of an asset's remaining-life model as stored: the mean of the asset's
/// signals over the step, in the model's column order.
public struct PrognosisStepRow: Hashable, Sendable {
    /// The asset.
    public var asset: String
    /// Start of the step.
    public var time: Timestamp
    /// The columns, in order.
    public var columns: [String]
    /// One value per column.
    public var values: [Double]

    /// Creates a row.
    public init(asset: String, time: Timestamp, columns: [String], values: [Double]) {
        self.asset = asset
        self.time = time
        self.columns = columns
        self.values = values
    }
}

/// A remaining-life model retrained on the gateway, as stored.
public struct RetrainedModelRecord: Hashable, Sendable {
    /// The entry (its configured name).
    public var entry: String
    /// Digest of the configured model file it was retrained from; it is used only while the
    /// configuration still names that file.
    public var baseDigest: String
    /// The model file's bytes.
    public var model: [UInt8]
    /// Its validation RMSE, and that of the model it replaced, on the same held-out runs.
    public var validationRMSE: Double
    /// See `validationRMSE`.
    public var replacedRMSE: Double

    /// Creates a record.
    public init(entry: String, baseDigest: String, model: [UInt8], validationRMSE: Double, replacedRMSE: Double) {
        self.entry = entry
        self.baseDigest = baseDigest
        self.model = model
        self.validationRMSE = validationRMSE
        self.replacedRMSE = replacedRMSE
    }
}
