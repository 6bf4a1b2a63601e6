import Foundation
import Testing
import VigilCore
import VigilModel
import VigilNN
import VigilPrognosis
import VigilStore
import VigilTestSupport

@testable import VigilDaemon

/// The retraining service end to end: runs to failure recorded in a real SQLite store, the real
/// service reading them, training, deciding, offering through the link and saving, and a service
/// started again on the same database taking the saved model up.
@Suite struct RetrainingServiceTests {
    static let asset = "pump-1"
    /// The columns of `SyntheticFleet`'s rows, in order.
    static let fleetColumns = ["setting", "s1", "s2", "s3", "s4"]
    /// When the first recorded run starts.
    static let start = Timestamp(milliseconds: 1_780_000_000_000)

    /// A model with window 10 and cap 50 trained on `fleet` with `epochs` epochs of a GRU of
    /// `hidden` units, two members, on a thread of its own (as the service trains), so that other
    /// suites' training on the cooperative threads does not hold it up.
    static func model(_ fleet: SyntheticFleet, hidden: Int, epochs: Int) async throws -> RULModel {
        try await BackgroundTraining.run { Result { try trainModel(fleet, hidden: hidden, epochs: epochs) } }.get()
    }

    /// See `model(_:hidden:epochs:)`.
    static func trainModel(_ fleet: SyntheticFleet, hidden: Int, epochs: Int) throws -> RULModel {
        let histories = try RunFileReader(format: .csv, settingColumns: ["setting"]).parse(
            fleet.csv(),
            file: "fleet.csv"
        )
        let settings = RULTrainingSettings(
            window: 10,
            cap: 50,
            kind: .gru,
            hidden: hidden,
            headSizes: [8],
            members: 2,
            epochs: epochs,
            batchSize: 32,
            learningRate: 5e-3,
            dropout: 0
        )
        return try RULTrainer.trainHere(histories, settings: settings).model
    }

    /// A current model trained well on many runs (as `PrognosisDaemonTests.trainModel`).
    static let wellTrained = Task { try await model(SyntheticFleet(count: 24, seed: 1), hidden: 12, epochs: 25) }
    /// A current model that has barely learnt anything: one epoch of a tiny network.
    static let barelyTrained = Task { try await model(SyntheticFleet(count: 4, seed: 7), hidden: 2, epochs: 1) }

    /// The configuration's entry 0 (`pump-1`, one-second steps) with `model`.
    static func models(_ model: RULModel) -> PrognosisModels {
        var models = PrognosisModels()
        models.entries[0] = PrognosisModels.Entry(
            index: 0,
            name: asset,
            path: "/models/pump.vglm",
            model: model,
            step: .seconds(1)
        )
        return models
    }

    /// Records `runs` (rows of `SyntheticFleet` units) as consecutive runs of `asset` (one step a
    /// second, in the model's column order), each ended by a failure label right after its last
    /// step, except the last `running` runs, which have no label yet.
    static func record(_ runs: [[[Double]]], columns: [String], running: Int = 0, in store: EventStore) async throws {
        let indices = try columns.map { column in try #require(fleetColumns.firstIndex(of: column)) }
        var batch = StoreBatch()
        var time = start
        for (position, rows) in runs.enumerated() {
            for row in rows {
                batch.prognosisSteps.append(
                    PrognosisStepRow(asset: asset, time: time, columns: columns, values: indices.map { row[$0] })
                )
                time = time + .seconds(1)
            }
            if position < runs.count - running {
                batch.labels.append(
                    (label: MaintenanceLabel(asset: asset, event: .failure, time: time), source: "mqtt")
                )
            }
            time = time + .seconds(60)
        }
        try await store.record(batch, at: time)
    }

    /// Runs a service until it has handled a retraining request for entry 0 (the link's requests
    /// end after it), and returns the link.
    static func retrain(_ models: PrognosisModels, store: EventStore, logger: LogCapture) async throws -> PrognosisLink
    {
        let link = PrognosisLink(retrainedEntries: [0])
        link.requestRetraining(of: 0, assets: [asset])
        link.finish()
        try await service(link: link, store: store, models: models, logger: logger).run()
        return link
    }

    static func service(
        link: PrognosisLink,
        store: EventStore,
        models: PrognosisModels,
        logger: LogCapture
    )
        -> RetrainingService
    {
        RetrainingService(
            link: link,
            store: store,
            models: models,
            clock: WallClock { start + .seconds(86_400) },
            logger: logger.logger(label: "retraining")
        )
    }

    @Test(.timeLimit(.minutes(10)))
    func aModelRetrainedNoWorseOnTheHeldOutRunsIsOfferedSavedAndTakenUpAgainAfterARestart() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let current = try await Self.barelyTrained.value
        let models = Self.models(current)
        let capture = LogCapture()
        var store = try EventStore(path: database)
        try await Self.record(SyntheticFleet(count: 3, seed: 21).units.map(\.rows), columns: current.columns, in: store)

        let link = try await Self.retrain(models, store: store, logger: capture)
        let offered = link.takeReplacements()
        #expect(offered.keys.sorted() == [0], "\(capture.messages)")
        let model = try #require(offered[0] as? RULModel)
        #expect(model.identity != current.identity)
        #expect(model.columns == current.columns && model.window == current.window && model.cap == current.cap)
        #expect(capture.messages.contains { $0.contains("Retrained model swapped in") }, "\(capture.messages)")
        let saved = try #require(try await store.retrainedModel(entry: Self.asset))
        #expect(saved.baseDigest == current.identity)
        #expect(RULModel(file: try RULModelFile.decode(saved.model)).identity == model.identity)
        #expect(saved.validationRMSE <= saved.replacedRMSE)
        try store.close()

        // A restart on the same database: the saved model is offered before any request.
        store = try EventStore(path: database)
        defer { try? store.close() }
        let restarted = PrognosisLink(retrainedEntries: [0])
        restarted.finish()
        try await Self.service(link: restarted, store: store, models: models, logger: capture).run()
        let takenUp = restarted.takeReplacements()
        #expect(takenUp.keys.sorted() == [0])
        #expect(takenUp[0]?.identity == model.identity)
        #expect(capture.messages.contains { $0.contains("Using the model retrained on this gateway") })

        // Once the configuration names another model, the saved one (retrained from the old) is not used.
        let other = PrognosisLink(retrainedEntries: [0])
        other.finish()
        let replaced = Self.models(try await Self.wellTrained.value)
        try await Self.service(link: other, store: store, models: replaced, logger: capture).run()
        #expect(other.takeReplacements().keys.isEmpty)
        // Nor for an entry that does not retrain.
        let fixed = PrognosisLink(retrainedEntries: [])
        fixed.finish()
        try await Self.service(link: fixed, store: store, models: models, logger: capture).run()
        #expect(fixed.takeReplacements().keys.isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func aRetrainedModelWorseOnTheHeldOutRunsIsNeitherOfferedNorSaved() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let current = try await Self.wellTrained.value
        let capture = LogCapture()
        let store = try EventStore(path: directory.appendingPathComponent("vigil.db").path)
        defer { try? store.close() }
        // The two runs the candidate trains on were recorded with their sensors wearing backwards
        // (rows in reverse order), the held-out run (the latest) as the fleet wears: the candidate
        // learns the wear the wrong way round, the current model knows it from 24 runs.
        let fleet = SyntheticFleet(count: 3, seed: 22).units.map(\.rows)
        let runs = fleet.prefix(2).map { Array($0.reversed()) } + [fleet[2]]
        try await Self.record(runs, columns: current.columns, in: store)

        let link = try await Self.retrain(Self.models(current), store: store, logger: capture)
        #expect(link.takeReplacements().keys.isEmpty)
        #expect(try await store.retrainedModel(entry: Self.asset) == nil)
        let kept = capture.messages.filter { $0.contains("Retrained model was worse on the held-out runs") }
        #expect(kept.count == 1, "\(capture.messages)")
        #expect(kept.first?.contains("retrain.held_out=1") == true, "\(kept)")
        #expect(!capture.messages.contains { $0.contains("swapped in") })
    }

    @Test(.timeLimit(.minutes(10)))
    func fewerThanThreeCompletedRunsAreSkippedAndNothingIsOffered() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let current = try await Self.barelyTrained.value
        let capture = LogCapture()
        let store = try EventStore(path: directory.appendingPathComponent("vigil.db").path)
        defer { try? store.close() }
        // Two runs ended by a failure, the third still running.
        try await Self.record(
            SyntheticFleet(count: 3, seed: 23).units.map(\.rows),
            columns: current.columns,
            running: 1,
            in: store
        )

        let link = try await Self.retrain(Self.models(current), store: store, logger: capture)
        #expect(link.takeReplacements().keys.isEmpty)
        #expect(try await store.retrainedModel(entry: Self.asset) == nil)
        #expect(
            capture.messages.contains {
                $0.contains("Retraining skipped")
                    && $0.contains("retrain.reason=2 completed runs to failure; retraining needs 3")
            },
            "\(capture.messages)"
        )
        #expect(capture.messages.contains { $0.contains("retrain.runs=2") }, "\(capture.messages)")
    }
}
