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

    /// Sends the retrainings that failure labels asked for once their batch is committed
    /// (`committed`): the retraining service reads the runs from the database, and a request sent
    /// before the commit could miss the label that completed the run.
    func requestRetrainings(_ state: inout State, committed: Bool) {
        guard committed else { return }
        for request in state.retrainings {
            prognosis.requestRetraining(of: request.entry, assets: request.assets)
        }
        state.retrainings = []
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

    /// Handles a maintenance label (`{"asset":"pump-1","event":"failure","time":…,"id":…}`). It
    /// passes the command gate like a command: the overall and per-asset rates, and with
    /// `commands.require_signature` a signature by a key of `commands.keys` over a label that
    /// states when it was sent, a nonce and this label topic. Within the overall rate it is
    /// answered on `<label>/ack`, logged with its origin and kept in the command audit trail
    /// (`command` "label"); recorded, it lets the asset's predictions start afresh after a
    /// repair and asks for retraining after a failure.
    func handleLabel(_ message: MQTTMessage, state: inout State, into batch: inout StoreBatch, at arrival: Timestamp) {
        let now = Monotonic.milliseconds()
        guard state.commands.admit(at: now) else {
            metrics.update { $0.commandsRefused[CommandRefusal.rateLimited.rawValue, default: 0] += 1 }
            rejectionLog.warning(
                logger,
                key: "label.rate_limited",
                "Labels and commands over commands.max_per_minute: counted, not answered",
                metadata: ["command.reason": "\(CommandRefusal.rateLimited.rawValue)"]
            )
            return
        }
        let unsealed = state.commands.unseal(message.payload, arrival: arrival.milliseconds, topic: topics.label) {
            let stated = MaintenanceLabel.sending(of: $0)
            return CommandGate.Binding(topic: stated.topic, sent: stated.sent, nonce: stated.nonce)
        }
        var refusal = unsealed.refusal
        var detail = unsealed.detail
        var id: String?
        var asset: String?
        if let bytes = unsealed.bytes {
            switch MaintenanceLabel.parse(bytes, arrival: arrival) {
            case .failure(let refused):
                (id, asset) = (refused.id, refused.asset)
                if refusal == nil { (refusal, detail) = (.malformed, refused.reason) }
            case .success(let label):
                (id, asset) = (label.id, label.asset)
                if refusal == nil {
                    detail = record(label, state: &state, into: &batch, at: now, refusal: &refusal)
                }
            }
        }
        metrics.update {
            if let refusal {
                $0.commandsRefused[refusal.rawValue, default: 0] += 1
            } else {
                $0.commandsAccepted += 1
            }
        }
        var metadata: Logger.Metadata = [
            "command.origin": "\(LogText.escaped(unsealed.origin))",
            "command.name": "label",
            "command.asset": "\(LogText.escaped(asset ?? "-"))",
            "command.id": "\(LogText.escaped(id ?? "-"))",
        ]
        if let refusal {
            metadata["command.reason"] = "\(refusal.rawValue)"
            metadata["command.detail"] = "\(LogText.escaped(detail))"
            logger.warning("Label refused", metadata: metadata)
        } else {
            metadata["command.detail"] = "\(LogText.escaped(detail))"
            logger.notice("Maintenance label recorded", metadata: metadata)
        }
        let acknowledgement = OperatorCommand.Acknowledgement(
            id: id,
            asset: asset,
            ok: refusal == nil,
            reason: refusal?.rawValue,
            detail: refusal == nil ? detail : "refused (\(refusal!.rawValue)): \(detail)"
        )
        batch.outbox.append(
            (topic: topics.label + "/ack", payload: acknowledgement.jsonBytes(), qos: topics.qos, retain: false)
        )
        batch.commands.append(
            CommandRecord(
                time: arrival,
                origin: unsealed.origin,
                command: "label",
                asset: asset,
                commandID: id,
                accepted: refusal == nil,
                reason: refusal?.rawValue,
                detail: detail
            )
        )
    }

    /// Records a label that passed the gate, unless its asset is over its own rate or unknown
    /// (`refusal` set); returns what happened.
    private func record(
        _ label: MaintenanceLabel,
        state: inout State,
        into batch: inout StoreBatch,
        at now: Int64,
        refusal: inout CommandRefusal?
    ) -> String {
        guard state.commands.admit(asset: label.asset, at: now) else {
            refusal = .assetRateLimited
            return "more than commands.max_per_asset_per_minute commands and labels for this asset"
        }
        guard state.pipeline.knows(asset: label.asset) else {
            refusal = .unknownAsset
            return "unknown asset '\(label.asset)': no configured or seen asset has this name"
        }
        batch.labels.append((label: label, source: "mqtt"))
        state.pipeline.apply(label)
        if label.event == .failure, let entry = state.pipeline.profileIndex(of: label.asset) {
            state.retrainings.append((entry, state.pipeline.prognosisAssets(ofProfile: entry)))
        }
        return "recorded: \(label.event.rawValue) of \(label.asset) at \(label.time.iso8601)"
    }
}
