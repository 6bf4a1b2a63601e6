import Foundation
import Logging
import Testing
import VigilCore
import VigilDaemon
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
