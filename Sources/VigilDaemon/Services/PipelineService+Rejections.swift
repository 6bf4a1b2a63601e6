internal import Logging
internal import VigilCore
internal import VigilMQTT

// Refusals: counted, logged at most once per reason every 10 s, and dead-lettered within the
// budget, one letter per message however many of its readings were refused.
extension PipelineService {
    /// Refuses a whole message.
    func reject(_ rejection: Rejection, _ message: MQTTMessage, arrival: Timestamp) {
        metrics.update { $0.rejected[rejection.reason, default: 0] += 1 }
        logAndDeadLetter(rejection, message, arrival: arrival)
    }

    /// Refuses some readings of a message (each counted under its reason) with one log line and one
    /// dead letter for the message: a SenML pack of many refused records is one letter, not many.
    func reject(_ refusals: [Rejection], of total: Int, _ message: MQTTMessage, arrival: Timestamp) {
        guard let first = refusals.first else { return }
        var reasons: [RejectionReason: Int] = [:]
        for refusal in refusals { reasons[refusal.reason, default: 0] += 1 }
        metrics.update { metrics in
            for (reason, count) in reasons { metrics.rejected[reason, default: 0] += count }
        }
        guard total > 1 else {
            logAndDeadLetter(first, message, arrival: arrival)
            return
        }
        let counts = reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        let summary = Rejection(
            first.reason,
            "\(refusals.count) of \(total) readings refused (\(counts.joined(separator: ", "))); first: \(first.detail)"
        )
        logAndDeadLetter(summary, message, arrival: arrival)
    }

    private func logAndDeadLetter(_ rejection: Rejection, _ message: MQTTMessage, arrival: Timestamp) {
        rejectionLog.warning(
            logger,
            key: rejection.reason.rawValue,
            "Payload rejected",
            metadata: [
                "reject.reason": "\(rejection.reason.rawValue)",
                "reject.detail": "\(LogText.escaped(rejection.detail))",
                "mqtt.topic": "\(LogText.escaped(message.topic))",
            ]
        )
        guard deadLetterBudget.admit(rejection.reason) else {
            metrics.update { $0.deadLettersSuppressed += 1 }
            return
        }
        let letter = DeadLetter(
            rejection: rejection,
            topic: message.topic,
            payload: message.payload,
            arrival: arrival,
            maxBytes: topics.deadLetterMaxBytes
        )
        if case .dropped = deadLetters.yield(letter) {
            metrics.update { $0.deadLettersDropped += 1 }
        }
    }
}
