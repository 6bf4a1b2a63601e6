import Foundation
import Testing
import VigilCore
import VigilStore

/// Remaining-life steps and maintenance labels against the store's deletions: retention, and the
/// assets forgotten for being quiet (issue 12) while their completed runs are what retraining
/// learns from (issue 11).
@Suite struct PrognosisStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "vigil-prognosis-store-\(UUID().uuidString)"
    )
    var path: String { directory.appendingPathComponent("vigil.db").path }

    func steps(_ asset: String, hours: ClosedRange<Int>, from start: Timestamp) -> [PrognosisStepRow] {
        hours.map {
            PrognosisStepRow(asset: asset, time: start + .seconds(3600 * $0), columns: ["s1"], values: [Double($0)])
        }
    }

    @Test func aForgottenAssetKeepsTheStepsOfItsCompletedRunsAndLosesTheRest() async throws {
        let store = try EventStore(path: path)
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let start = Timestamp(seconds: 1_795_000_000)
        var batch = StoreBatch()
        batch.prognosisSteps = steps("pump-1", hours: 0...9, from: start) + steps("junk-1", hours: 0...3, from: start)
        batch.labels = [
            (label: MaintenanceLabel(asset: "pump-1", event: .failure, time: start + .seconds(3600 * 5)), source: "cli")
        ]
        try await store.record(batch, at: start + .seconds(3600 * 10))
        var forget = StoreBatch()
        forget.forgotten = ["pump-1", "junk-1"]
        try await store.record(forget, at: start + .seconds(3600 * 11))
        let kept = try await store.prognosisSteps(assets: ["pump-1", "junk-1"])
        // pump-1's run up to its failure (hours 0 to 5) stays for retraining; what came after, and
        // every step of an asset without a failure, goes with the asset.
        #expect(kept.map(\.asset) == Array(repeating: "pump-1", count: 6))
        #expect(kept.map(\.values) == (0...5).map { [Double($0)] })
        #expect(try await store.labels(assets: ["pump-1"]).count == 1)
    }

    @Test func stepsOlderThanTheRetentionAreDeletedWithTheHistory() async throws {
        let store = try EventStore(path: path)
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let start = Timestamp(seconds: 1_795_000_000)
        var batch = StoreBatch()
        batch.prognosisSteps = steps("pump-1", hours: 0...9, from: start)
        try await store.record(batch, at: start + .seconds(3600 * 10))
        _ = try await store.deleteHistory(before: start + .seconds(3600 * 4))
        #expect(try await store.prognosisSteps(assets: ["pump-1"]).map(\.values) == (4...9).map { [Double($0)] })
    }
}
