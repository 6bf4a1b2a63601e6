internal import Logging
internal import VigilCore
internal import VigilMQTT
internal import VigilStore

extension PipelineService {
    /// Continues the predictions of the last run: open `fault_predicted` alarms, and each asset's
    /// current life (its steps since its latest label).
    func restorePrognosis(_ pipeline: inout Pipeline) async throws(StoreError) {
        pipeline.restore(predictionAlarms: try await store.openPredictionAlarms())
        let models = pipeline.profiles.compactMap { $0.prognosis?.remainingLife?.estimator }
        guard !models.isEmpty else { return }
        pipeline.restore(
            lives: try await store.currentLives(
                first: models.map(\.baselineSteps).max() ?? 0,
                recent: models.map(\.window).max() ?? 0
            )
        )
    }

    /// Takes up the models the retraining service swapped in since the last message.
    func takeRetrainedModels(_ pipeline: inout Pipeline) {
        for (entry, model) in prognosis.takeReplacements() {
            pipeline.replaceRemainingLifeModel(profile: entry, with: model)
            logger.notice(
                "Remaining-life model replaced",
                metadata: ["asset.entry": "\(pipeline.profiles[entry].name)", "model.id": "\(model.identity)"]
            )
        }
    }

    /// A prediction report for the retained prognosis topic, or a step to record.
    func recordPrognosis(_ output: PipelineOutput, into batch: inout StoreBatch) {
        switch output {
        case .prognosis(let report):
            batch.outbox.append(
                (
                    topic: TopicPattern.expand(topics.prognosis, with: ["asset": report.asset]),
                    payload: report.jsonBytes(), qos: topics.qos, retain: true
                )
            )
        case .prognosisStep(let asset, let time, let columns, let values):
            batch.prognosisSteps.append(PrognosisStepRow(asset: asset, time: time, columns: columns, values: values))
        default:
            break
        }
    }

    /// Handles a maintenance label (`{"asset":"pump-1","event":"failure","time":…,"id":…}`): stores
    /// it, lets the asset's predictions start afresh after a repair, asks for retraining after a
    /// failure, and queues the acknowledgement on `<label>/ack`.
    func handleLabel(
        _ message: MQTTMessage,
        pipeline: inout Pipeline,
        into batch: inout StoreBatch,
        at arrival: Timestamp
    ) {
        var acknowledgement: OperatorCommand.Acknowledgement
        switch MaintenanceLabel.parse(message.payload, arrival: arrival) {
        case .failure(let refusal):
            acknowledgement = .init(id: refusal.id, asset: refusal.asset, ok: false, detail: refusal.reason)
            logger.warning("Label refused", metadata: ["label.reason": "\(refusal.reason)"])
        case .success(let label) where !pipeline.knows(asset: label.asset):
            acknowledgement = .init(
                id: label.id,
                asset: label.asset,
                ok: false,
                detail: "unknown asset '\(label.asset)': no configured or seen asset has this name"
            )
            logger.warning("Label for an unknown asset refused", metadata: ["asset": "\(label.asset)"])
        case .success(let label):
            batch.labels.append((label: label, source: "mqtt"))
            pipeline.apply(label)
            acknowledgement = .init(
                id: label.id,
                asset: label.asset,
                ok: true,
                detail: "recorded: \(label.event.rawValue) of \(label.asset) at \(label.time.iso8601)"
            )
            logger.notice(
                "Maintenance label recorded",
                metadata: ["asset": "\(label.asset)", "label.event": "\(label.event.rawValue)"]
            )
            if label.event == .failure, let entry = pipeline.profileIndex(of: label.asset) {
                prognosis.requestRetraining(of: entry, assets: pipeline.prognosisAssets(ofProfile: entry))
            }
        }
        batch.outbox.append(
            (topic: topics.label + "/ack", payload: acknowledgement.jsonBytes(), qos: topics.qos, retain: false)
        )
    }
}
