import Foundation
import Testing
import VigilCore
import VigilStore

@Suite struct EventStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("state/vigil.db").path }

    func event(_ asset: String, _ transition: AlarmTransition, at ms: Int64, kind: EventKind = .anomaly) -> Event {
        Event(
            alarmID: "\(asset)-1",
            asset: asset,
            kind: kind,
            transition: transition,
            severity: .warning,
            score: 0.995,
            peakScore: 0.999,
            time: Timestamp(milliseconds: ms),
            windowStart: Timestamp(milliseconds: ms - 2000),
            windowEnd: Timestamp(milliseconds: ms),
            contributions: [SignalContribution(signal: "p", value: 9, expected: 5, score: 0.995)],
            detector: "robust-mad"
        )
    }

    @Test func aSecondWriterOnTheSameDatabaseIsRefusedUntilTheFirstCloses() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try EventStore(path: path)
        #expect {
            try EventStore(path: path)
        } throws: { error in
            "\(error)".contains("another Vigil is already running on this database")
        }
        try first.close()
        let second = try EventStore(path: path)
        try second.close()
    }

    @Test func atItsSizeCapTheStoreRefusesWritesUntilOldHistoryMakesRoomAndNeverLosesTheOutbox() async throws {
        let store = try EventStore(path: path, maxSize: 128 * 1024)
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        var written = 0
        var full: StoreError?
        while full == nil, written < 10_000 {
            var batch = StoreBatch()
            // Closed alarms: the history that may make room (open alarms keep theirs).
            batch.events = (0..<10).flatMap { index in
                let at = Int64(written + 2 * index) * 1000
                return [
                    event("p\(written + index)", .raised, at: at), event("p\(written + index)", .cleared, at: at + 1),
                ]
            }
            batch.outbox = [(topic: "vigil/alerts/p", payload: Array(repeating: 65, count: 200), qos: 1, retain: false)]
            do {
                try await store.record(batch, at: Timestamp(milliseconds: 0))
                written += 20
            } catch {
                full = error
            }
        }
        let error = try #require(full, "the cap was never reached")
        #expect(error.code.map { $0 & 0xFF } == 13, "\(error)")
        let outbox = try await store.outboxCount()
        let deleted = try await store.makeRoom()
        #expect(deleted >= 100)
        #expect(try await store.outboxCount() == outbox)
        var batch = StoreBatch()
        batch.events = [event("after", .raised, at: 99_000_000)]
        try await store.record(batch, at: Timestamp(milliseconds: 0))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size <= 128 * 1024)
    }

    @Test func recordsAndQueriesEventsWithFilters() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        var batch = StoreBatch()
        batch.events = [
            event("p1", .raised, at: 10_000), event("p1", .cleared, at: 20_000),
            event("p2", .raised, at: 30_000, kind: .sensorFault),
        ]
        try await store.record(batch, at: Timestamp(milliseconds: 30_000))
        let reader = try EventReader.open(path: path)
        #expect(try reader.events(EventQuery()).map(\.event) == batch.events)
        #expect(try reader.events(EventQuery(asset: "p1")).count == 2)
        #expect(try reader.events(EventQuery(kind: .sensorFault)).map(\.event.asset) == ["p2"])
        #expect(try reader.events(EventQuery(state: .cleared)).map(\.event.time.milliseconds) == [20_000])
        #expect(try reader.events(EventQuery(since: Timestamp(milliseconds: 20_000))).count == 2)
        #expect(try reader.events(EventQuery(until: Timestamp(milliseconds: 20_000))).count == 1)
        // The limit keeps the most recent events, still printed oldest first.
        #expect(try reader.events(EventQuery(limit: 2)).map(\.event.time.milliseconds) == [20_000, 30_000])
        #expect(try reader.openAlarms().map(\.asset) == ["p2"])
        try store.close()
    }

    @Test func outboxKeepsOrderUntilDelivered() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        var batch = StoreBatch()
        batch.outbox = (0..<5).map { (topic: "t/\($0)", payload: [UInt8($0)], qos: 1, retain: $0 == 4) }
        try await store.record(batch, at: Timestamp(milliseconds: 0))
        let pending = try await store.pendingMessages(limit: 3)
        #expect(pending.map(\.topic) == ["t/0", "t/1", "t/2"])
        try await store.markDelivered(pending[0].id)
        #expect(try await store.pendingMessages(limit: 10).map(\.topic) == ["t/1", "t/2", "t/3", "t/4"])
        #expect(try await store.pendingMessages(limit: 10).last?.retain == true)
        #expect(try await store.outboxCount() == 4)
    }

    @Test func retentionDeletesOldHistoryButNeverTheOutbox() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        var batch = StoreBatch()
        batch.events = [
            event("p1", .raised, at: 1000), event("p1", .cleared, at: 2000), event("p2", .raised, at: 9000),
        ]
        batch.outbox = [(topic: "old", payload: [1], qos: 1, retain: false)]
        try await store.record(batch, at: Timestamp(milliseconds: 1000))
        let deleted = try await store.deleteHistory(before: Timestamp(milliseconds: 5000))
        #expect(deleted == 2)
        #expect(try store.reader.events(EventQuery()).map(\.event.asset) == ["p2"])
        #expect(try await store.outboxCount() == 1)
    }

    /// An alarm raised long ago and still open, among closed ones.
    func recordOldOpenAlarm(_ store: EventStore) async throws {
        var batch = StoreBatch()
        batch.events = [event("open", .raised, at: 500), event("open", .updated, at: 1500)]
        batch.events += (0..<200).flatMap { index in
            [
                event("c\(index)", .raised, at: 1000 + Int64(index)),
                event("c\(index)", .cleared, at: 2000 + Int64(index)),
            ]
        }
        try await store.record(batch, at: Timestamp(milliseconds: 3000))
    }

    @Test func retentionKeepsTheEventsOfOpenAlarms() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await recordOldOpenAlarm(store)
        let deleted = try await store.deleteHistory(before: Timestamp(milliseconds: 10_000))
        #expect(deleted == 400)
        #expect(try store.reader.events(EventQuery()).map(\.event.transition) == [.raised, .updated])
        #expect(try store.reader.openAlarms().map(\.id) == ["open-1"])
        try store.close()
    }

    @Test func makingRoomKeepsTheEventsOfOpenAlarms() async throws {
        let store = try EventStore(path: path, maxSize: 256 * 1024)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await recordOldOpenAlarm(store)
        // Fill the database to its cap with closed alarms younger than the open one.
        var written = 0
        while written < 20_000 {
            var batch = StoreBatch()
            batch.events = (0..<20).map { event("n\(written + $0)", .cleared, at: 10_000 + Int64(written + $0)) }
            do {
                // Recorded after the old alarm (making room goes by when events were recorded).
                try await store.record(batch, at: Timestamp(milliseconds: 10_000 + Int64(written)))
                written += 20
            } catch {
                break
            }
        }
        #expect(written < 20_000, "the cap was never reached")
        #expect(try await store.makeRoom() >= 100)
        let left = try store.reader.events(EventQuery(limit: 1_000_000))
        #expect(left.filter { $0.event.asset == "open" }.map(\.event.transition) == [.raised, .updated])
        // The oldest events of closed alarms went first.
        #expect(!left.contains { $0.event.asset == "c0" && $0.event.transition == .raised })
        #expect(left.contains { $0.event.asset == "n0" })
        try store.close()
    }

    @Test func countsReadingsPerAsset() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        for _ in 0..<3 {
            var batch = StoreBatch()
            batch.readings = ["p1": (count: 10, lastTime: 5), "p2": (count: 1, lastTime: 7)]
            try await store.record(batch, at: Timestamp(milliseconds: 0))
        }
        #expect(try store.reader.readingCounts() == ["p1": 30, "p2": 3])
    }

    @Test func usesWriteAheadLogging() async throws {
        let store = try EventStore(path: path)
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.close()
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20)
        // Bytes 18 and 19 of the header are 2 in WAL mode.
        #expect(header[18] == 2 && header[19] == 2)
    }

    @Test func readerRefusesAMissingDatabase() {
        #expect(throws: StoreError.self) { try EventReader.open(path: path + ".missing") }
    }
}
