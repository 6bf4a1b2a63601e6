public import Logging
public import ServiceLifecycle
internal import Synchronization
internal import VigilCore
internal import VigilModel
internal import VigilPrognosis
public import VigilStore

/// Retrains remaining-life models in the background: when a failure label completes a run of an
/// entry with `prognosis.retrain: true`, it reads the entry's recorded steps and labels, trains a new
/// model on a thread at nice 19 (so ingestion and scoring never wait for it), scores the new and the
/// current model on the same held-out runs, and swaps the new one in only if it is no worse. A
/// swapped-in model is saved, and taken up again after a restart while the configuration still
/// names the file it was retrained from.
public struct RetrainingService: Service {
    let link: PrognosisLink
    let store: EventStore
    let models: PrognosisModels
    let clock: WallClock
    let logger: Logger

    /// Creates the service.
    public init(link: PrognosisLink, store: EventStore, models: PrognosisModels, clock: WallClock, logger: Logger) {
        self.link = link
        self.store = store
        self.models = models
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var current: [Int: RULModel] = models.entries.mapValues(\.model)
        for (index, entry) in models.entries where link.retrainedEntries.contains(index) {
            guard let record = try? await store.retrainedModel(entry: entry.name),
                record.baseDigest == entry.model.identity, let file = try? RULModelFile.decode(record.model)
            else { continue }
            let model = RULModel(file: file)
            current[index] = model
            link.offer(model, for: index)
            logger.notice(
                "Using the model retrained on this gateway",
                metadata: ["asset.entry": "\(entry.name)", "model.rmse": "\(record.validationRMSE)"]
            )
        }
        for await request in link.retrainRequests.cancelOnGracefulShutdown() {
            guard let entry = models.entries[request.entry], let model = current[request.entry] else { continue }
            if let replacement = await retrain(entry, current: model, assets: request.assets) {
                current[request.entry] = replacement
            }
        }
    }

    /// Retrains one entry's model; returns the model swapped in, if any.
    func retrain(_ entry: PrognosisModels.Entry, current: RULModel, assets: [String]) async -> RULModel? {
        let steps: [PrognosisStepRow]
        let labels: [MaintenanceLabel]
        do {
            steps = try await store.prognosisSteps(assets: assets)
            labels = try await store.labels(assets: assets)
        } catch {
            logger.error("Cannot read the history to retrain on", metadata: ["store.error": "\(error)"])
            return nil
        }
        let columns = current.columns
        let histories = RunSegments.histories(
            steps: steps.filter { $0.columns == columns }.map {
                RunSegments.Step(asset: $0.asset, time: $0.time, values: $0.values)
            },
            labels: labels,
            columns: columns,
            settings: current.plan.settings,
            source: "gateway history of \(entry.name)"
        )
        logger.info(
            "Retraining the remaining-life model",
            metadata: [
                "asset.entry": "\(entry.name)", "retrain.runs": "\(histories.failedUnits)",
                "retrain.steps": "\(histories.rowCount)",
            ]
        )
        // A shutdown stops the training at its next mini-batch, so SIGTERM is never kept waiting.
        let stop = StopFlag()
        let outcome = await withGracefulShutdownHandler {
            await BackgroundTraining.run {
                RULRetrainer.consider(current: current, histories: histories) { training throws(RULTrainer.Failure) in
                    try RULTrainer.trainHere(
                        training,
                        settings: Self.settings(for: training, like: current),
                        stopping: stop.isSet
                    ).model
                }
            }
        } onGracefulShutdown: {
            stop.set()
        }
        switch outcome {
        case .swapped(let model, let candidate, let replaced, let heldOut):
            link.offer(model, for: entry.index)
            logger.notice(
                "Retrained model swapped in",
                metadata: [
                    "asset.entry": "\(entry.name)", "model.rmse": "\(candidate)", "model.replaced_rmse": "\(replaced)",
                    "retrain.held_out": "\(heldOut)",
                ]
            )
            do {
                try await store.saveRetrainedModel(
                    RetrainedModelRecord(
                        entry: entry.name,
                        baseDigest: entry.model.identity,
                        model: model.file.encoded(),
                        validationRMSE: candidate,
                        replacedRMSE: replaced
                    ),
                    at: clock.now()
                )
            } catch {
                logger.error("Cannot save the retrained model", metadata: ["store.error": "\(error)"])
            }
            return model
        case .kept(let candidate, let currentRMSE, let heldOut):
            logger.notice(
                "Retrained model was worse on the held-out runs; keeping the current one",
                metadata: [
                    "asset.entry": "\(entry.name)", "model.rmse": "\(candidate)",
                    "model.current_rmse": "\(currentRMSE)",
                    "retrain.held_out": "\(heldOut)",
                ]
            )
        case .skipped(let reason):
            logger.info(
                "Retraining skipped",
                metadata: ["asset.entry": "\(entry.name)", "retrain.reason": "\(reason)"]
            )
        }
        return nil
    }

    /// A flag the shutdown sets and the training thread reads.
    final class StopFlag: Sendable {
        private let flag = Mutex(false)
        func set() { flag.withLock { $0 = true } }
        func isSet() -> Bool { flag.withLock { $0 } }
    }

    /// Vigil's training settings with the current model's window and cap, and as many members as
    /// the runs allow (one per run up to the default, one alone below five runs).
    static func settings(for histories: RunHistories, like model: RULModel) -> RULTrainingSettings {
        var settings = RULTrainingSettings(
            window: model.window,
            cap: model.cap,
            baselineSteps: model.baselineSteps,
            age: model.file.rul.unitInputs.ageScale != nil
        )
        settings.members = histories.failedUnits >= settings.members ? settings.members : 1
        return settings
    }
}
