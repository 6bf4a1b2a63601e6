import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// A corrupt database at start is set aside and replaced; a sound one, or a single failed check,
/// is left alone.
@Suite struct DatabaseRecoveryTests {
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case damagedPage, truncatedFile, zeroedHeader
        var testDescription: String { rawValue }
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-recovery-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("vigil.db").path }

    /// A database with 400 events (dozens of pages), closed.
    func makeDatabase() async throws {
        let store = try EventStore(path: path)
        var batch = StoreBatch()
        batch.events = (0..<400).map { index in
            Event(
                alarmID: "a-\(index)",
                asset: "pump-\(index % 7)",
                kind: .anomaly,
                transition: .raised,
                severity: .warning,
                score: 0.995,
                peakScore: 0.999,
                time: Timestamp(milliseconds: Int64(index) * 1000),
                windowStart: Timestamp(milliseconds: Int64(index) * 1000),
                windowEnd: Timestamp(milliseconds: Int64(index) * 1000),
                contributions: [SignalContribution(signal: "p", value: 9, expected: 5, score: 0.995)],
                detector: "robust-mad"
            )
        }
        try await store.record(batch, at: Timestamp(milliseconds: 0))
        try store.close()
    }

    func damage(_ kind: Damage) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        switch kind {
        case .damagedPage:
            // Garbage over the third page: a b-tree page of the event table.
            try handle.seek(toOffset: 2 * 4096)
            handle.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }))
        case .truncatedFile:
            try handle.truncate(atOffset: size / 2)
        case .zeroedHeader:
            try handle.seek(toOffset: 0)
            handle.write(Data(count: 100))
        }
    }

    @Test(arguments: Damage.allCases)
    func aCorruptDatabaseIsMovedAsideAndAFreshOneStarted(_ kind: Damage) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makeDatabase()
        try damage(kind)
        let store = try EventStore(path: path)
        defer { try? store.close() }
        let recovery = try #require(store.recovery)
        #expect(recovery.movedTo.count >= 1)
        for file in recovery.movedTo {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            #expect(file.hasPrefix(path + ".corrupt-"))
        }
        // The fresh database works and is empty.
        #expect(try store.reader.events(EventQuery()).isEmpty)
        #expect(try store.reader.integrityCheck() == ["ok"])
        var batch = StoreBatch()
        batch.outbox = [(topic: "vigil/notice", payload: Array("x".utf8), qos: 1, retain: false)]
        try await store.record(batch, at: Timestamp(milliseconds: 1))
        #expect(try await store.outboxCount() == 1)
    }

    @Test func aSoundDatabaseIsLeftAlone() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makeDatabase()
        let store = try EventStore(path: path)
        defer { try? store.close() }
        #expect(store.recovery == nil)
        #expect(try store.reader.events(EventQuery(limit: 1000)).count == 400)
    }

    @Test func aSingleFailedCheckIsTakenForATransientErrorAndChangesNothing() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makeDatabase()
        var calls = 0
        let recovery = try DatabaseRecovery.recoverIfCorrupt(path: path) { _ in
            calls += 1
            return calls == 1 ? "database disk image is malformed" : nil
        }
        #expect(recovery == nil)
        #expect(calls == 2)
        #expect(FileManager.default.fileExists(atPath: path))
        let store = try EventStore(path: path)
        defer { try? store.close() }
        #expect(store.recovery == nil)
        #expect(try store.reader.events(EventQuery(limit: 1000)).count == 400)
    }
}
