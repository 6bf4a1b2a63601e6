internal import Logging
internal import VigilCore
internal import VigilMQTT
internal import VigilStore

// Operators' commands on the command topic: checked by the `CommandGate`, carried out in order
// with the readings, each answered on `<command topic>/ack`, logged with its origin and kept in
// the audit trail, except those beyond the overall rate, which are only counted.
extension PipelineService {
    /// Handles one message on the command topic.
    func handleCommand(_ message: MQTTMessage, state: inout State, into batch: inout StoreBatch, at arrival: Timestamp)
    {
        let now = Monotonic.milliseconds()
        guard state.commands.admit(at: now) else {
            metrics.update { $0.commandsRefused[CommandRefusal.rateLimited.rawValue, default: 0] += 1 }
            rejectionLog.warning(
                logger,
                key: "command.rate_limited",
                "Commands over commands.max_per_minute: counted, not answered",
                metadata: ["command.reason": "\(CommandRefusal.rateLimited.rawValue)"]
            )
            return
        }
        let opened = state.commands.open(message.payload, arrival: arrival.milliseconds)
        let command = opened.command
        var refusal = opened.refusal
        var detail = opened.detail
        if refusal == nil, case .acceptNewNormal(let asset, let force) = command?.action {
            if !state.commands.admit(asset: asset, at: now) {
                refusal = .assetRateLimited
                detail = "more than commands.max_per_asset_per_minute commands for this asset"
            } else if !state.pipeline.holds(asset) {
                refusal = .unknownAsset
                detail = "unknown asset '\(asset)': no reading of it since Vigil started"
            } else if !force && state.pipeline.openAlarm(of: asset) == nil {
                refusal = .noOpenAlarm
                detail = "\(asset) has no open alarm; send force to make it learn again all the same"
            } else if let outputs = state.pipeline.acceptNewNormal(asset: asset, at: arrival) {
                record(outputs, into: &batch)
                detail = "accepted: \(asset) learns its current behaviour as normal"
            }
        }
        let asset = command?.asset
        metrics.update {
            if let refusal {
                $0.commandsRefused[refusal.rawValue, default: 0] += 1
            } else {
                $0.commandsAccepted += 1
            }
        }
        var metadata: Logger.Metadata = [
            "command.origin": "\(LogText.escaped(opened.origin))",
            "command.name": "\(LogText.escaped(command?.name ?? "-"))",
            "command.asset": "\(LogText.escaped(asset ?? "-"))",
            "command.id": "\(LogText.escaped(command?.id ?? "-"))",
        ]
        if let refusal {
            metadata["command.reason"] = "\(refusal.rawValue)"
            metadata["command.detail"] = "\(LogText.escaped(detail))"
            logger.warning("Command refused", metadata: metadata)
        } else {
            logger.notice("Command carried out", metadata: metadata)
        }
        let acknowledgement = OperatorCommand.Acknowledgement(
            id: command?.id,
            asset: asset,
            ok: refusal == nil,
            reason: refusal?.rawValue,
            detail: refusal == nil ? detail : "refused (\(refusal!.rawValue)): \(detail)"
        )
        batch.outbox.append(
            (topic: topics.command + "/ack", payload: acknowledgement.jsonBytes(), qos: topics.qos, retain: false)
        )
        batch.commands.append(
            CommandRecord(
                time: arrival,
                origin: opened.origin,
                command: command?.name,
                asset: asset,
                commandID: command?.id,
                accepted: refusal == nil,
                reason: refusal?.rawValue,
                detail: detail
            )
        )
    }
}
