public import VigilConfig
public import VigilCore
internal import VigilModel
public import VigilPrognosis

/// The remaining-life models a configuration names (`assets[].prognosis.model`), read and checked
/// against their entries before the daemon starts.
public struct PrognosisModels: Sendable {
    /// One entry's model.
    public struct Entry: Sendable {
        /// The entry's index in `assets`.
        public var index: Int
        /// The entry's name.
        public var name: String
        /// The model file.
        public var path: String
        /// The model.
        public var model: RULModel
        /// How long one of its steps is.
        public var step: Duration
    }

    /// The models by entry index.
    public var entries: [Int: Entry]

    /// No models.
    public init() {
        entries = [:]
    }

    /// Reads every model of a configuration.
    /// - Throws: `ConfigError` at `assets[N].prognosis.model` when a file cannot be read, is no RUL
    ///   model, or reads signals its entry does not have.
    public static func load(_ configuration: VigilConfiguration, file: String?) throws(ConfigError) -> PrognosisModels {
        var models = PrognosisModels()
        for (index, asset) in configuration.assets.enumerated() {
            guard let settings = asset.prognosis, let path = settings.model else { continue }
            func fail(_ message: String) -> ConfigError {
                ConfigLoader.error(file: file, asset: index, keys: ["prognosis", "model"], message: message)
            }
            let model: RULModel
            do {
                model = RULModel(file: try RULModelFile.read(from: path))
            } catch {
                throw fail("'\(path)': \(error)")
            }
            // Signals with fixed names can be checked now; templates only name theirs at run time.
            let names = asset.signals.compactMap(\.name)
            if names.count == asset.signals.count, names.allSatisfy({ !$0.contains("{") }) {
                let missing = model.columns.filter { !names.contains($0) }
                guard missing.isEmpty else {
                    throw fail(
                        "model '\(path)' reads signals \(missing.joined(separator: ", ")) that asset '\(asset.name)' "
                            + "does not have (it has \(names.joined(separator: ", ")))"
                    )
                }
            }
            // A step is a fixed length of time (one row of the model's training data), so it cannot
            // wait for the tick the readings would show.
            guard let step = settings.step?.duration ?? asset.tick?.duration else {
                throw fail("set prognosis.step (how long one step of the model is) or the entry's tick")
            }
            models.entries[index] = Entry(
                index: index,
                name: asset.name,
                path: path,
                model: model,
                step: step
            )
        }
        return models
    }

    /// The profiles with their entries' models attached.
    public func attach(to profiles: [AssetProfile]) -> [AssetProfile] {
        var profiles = profiles
        for (index, entry) in entries where profiles.indices.contains(index) {
            profiles[index].prognosis?.remainingLife = RemainingLifeModel(estimator: entry.model, step: entry.step)
        }
        return profiles
    }
}
