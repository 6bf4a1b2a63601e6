import Foundation
import Logging
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

@Suite struct DeadLetterTests {
    @Test func copiesAtMostTheCapOfThePayloadInBase64() throws {
        let payload = [UInt8](repeating: 0xFF, count: 5000)
        let letter = DeadLetter(
            rejection: Rejection(.oversize, "too big"),
            topic: "plant/p1/t",
            payload: payload,
            arrival: Timestamp(milliseconds: 0),
            maxBytes: 16
        )
        #expect(letter.truncated)
        #expect(letter.payloadBytes == 5000)
        #expect(Data(base64Encoded: letter.payloadBase64)?.count == 16)
        let json = try JSONSerialization.jsonObject(with: Data(letter.jsonBytes())) as? [String: Any]
        #expect(json?["reason"] as? String == "oversize")
        #expect(json?["time"] as? String == "1970-01-01T00:00:00.000Z")
    }

    @Test func keepsBinaryAndEscapesHarmless() throws {
        let payload = Array("\u{1B}[2J'; DROP TABLE event;--".utf8)
        let letter = DeadLetter(
            rejection: Rejection(.malformed, "x"),
            topic: "t",
            payload: payload,
            arrival: Timestamp(milliseconds: 0),
            maxBytes: 1024
        )
        #expect(!letter.truncated)
        #expect(!String(decoding: letter.jsonBytes(), as: UTF8.self).contains("\u{1B}"))
    }
}

@Suite struct RateLimitedLogTests {
    @Test func logsOncePerIntervalPerKeyAndCountsWhatItHeldBack() {
        let capture = LogCapture()
        let logger = capture.logger(label: "test")
        let log = RateLimitedLog(interval: .milliseconds(200))
        for _ in 0..<50 { log.warning(logger, key: "malformed", "rejected", metadata: [:]) }
        log.warning(logger, key: "empty", "rejected", metadata: [:])
        #expect(capture.messages.count == 2)
        Thread.sleep(forTimeInterval: 0.25)
        log.warning(logger, key: "malformed", "rejected", metadata: [:])
        #expect(capture.messages.count == 3)
        #expect(capture.messages.last?.contains("log.suppressed=49") == true)
    }
}

@Suite struct SystemdNotifierTests {
    @Test func readsTheWatchdogIntervalOnlyForThisProcess() {
        let mine = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000",
            "WATCHDOG_PID": "\(getpid())",
        ])
        #expect(mine.watchdogInterval == .seconds(30))
        let other = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000",
            "WATCHDOG_PID": "1",
        ])
        #expect(other.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: [:]).socketPath == nil)
        #expect(!SystemdNotifier(environment: [:]).notify("READY=1"))
    }

    @Test func sendsADatagramToTheSocket() throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.notify("READY=1"))
        #expect(socket.receive(timeout: .seconds(2)) == "READY=1")
    }
}

/// The Prometheus rendering and its reader.
@Suite struct MetricsExpositionTests {
    @Test func renderedFiguresReadBackWithTheirLabelsAndEveryReasonIsListed() throws {
        var snapshot = DaemonMetrics.Snapshot()
        snapshot.messagesReceived = 12
        snapshot.rejected[.duplicate] = 3
        snapshot.storeErrorsByCode["13"] = 2
        snapshot.assetStates[.alarm] = 1
        snapshot.models[.training] = 2
        snapshot.models[.active] = 5
        var ingest = MQTTStatistics()
        ingest.reconnects = 4
        ingest.inboundHeld = 9
        let text = MetricsExposition.render(
            MetricsReading(
                daemon: snapshot,
                ingest: ingest,
                publish: MQTTStatistics(),
                ingestConnected: true,
                publishConnected: false,
                inboundCapacity: 64,
                outboxPending: 7
            ),
            version: "9.9.9"
        )
        #expect(text.contains("# TYPE vigil_rejected_total counter"))
        let figures = MetricsText(text)
        #expect(figures.value("vigil_messages_received_total") == 12)
        #expect(figures.value("vigil_rejected_total", ["reason": "duplicate"]) == 3)
        #expect(figures.values("vigil_rejected_total", by: "reason").count == RejectionReason.allCases.count)
        #expect(figures.value("vigil_store_errors_by_code_total", ["code": "13"]) == 2)
        #expect(figures.value("vigil_assets", ["state": "alarm"]) == 1)
        // Models by state: every state listed, 0 included.
        #expect(figures.value("vigil_models", ["state": "learning"]) == 0)
        #expect(figures.value("vigil_models", ["state": "training"]) == 2)
        #expect(figures.value("vigil_models", ["state": "active"]) == 5)
        #expect(figures.value("vigil_inbound_queue_held") == 9)
        #expect(figures.value("vigil_inbound_queue_capacity") == 64)
        #expect(figures.value("vigil_mqtt_reconnects_total", ["connection": "ingest"]) == 4)
        #expect(figures.value("vigil_mqtt_connected", ["connection": "publish"]) == 0)
        #expect(figures.value("vigil_outbox_pending") == 7)
        #expect(figures.samples.first { $0.name == "vigil_build_info" }?.labels["version"] == "9.9.9")
    }
}
