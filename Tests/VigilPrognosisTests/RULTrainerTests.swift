import Foundation
import Testing
import VigilModel
import VigilNN
import VigilPrognosis
import VigilTestSupport

@Suite struct RULTrainerTests {
    /// Small enough to train in seconds.
    static let settings = RULTrainingSettings(
        window: 10,
        cap: 50,
        kind: .gru,
        hidden: 12,
        headSizes: [8],
        members: 3,
        epochs: 30,
        batchSize: 32,
        learningRate: 5e-3,
        dropout: 0,
        patience: 8
    )
    static let reader = RunFileReader(format: .csv, settingColumns: ["setting"])

    static func train(_ fleet: SyntheticFleet) async throws -> (model: RULModel, report: RULTrainer.Report) {
        let histories = try reader.parse(fleet.csv(), file: "fleet.csv")
        return try await RULTrainer.train(histories, settings: settings, jobs: 2)
    }

    /// Units of another fleet cut before their failure, as in NASA's test sets: each estimate at
    /// the cut against the true remaining life there.
    static func cutErrors(_ model: RULModel, fleet: SyntheticFleet) throws -> (errors: [Double], covered: Int) {
        var random = SeededRandom(seed: 77)
        let cuts = fleet.units.map { unit in 1 + Int(random.uniform() * Double(min(40, unit.life - 11))) }
        let histories = try reader.parse(fleet.csv(failures: false) { $0.life - cuts[$0.id - 1] }, file: "cut.csv")
        let columns = try histories.indices(of: model.columns)
        let estimates = model.estimate(histories.units.map { $0.values.map { row in columns.map { row[$0] } } })
        var covered = 0
        let errors = zip(estimates, cuts).map { estimate, remaining -> Double in
            let truth = Double(remaining)
            if estimate.lower <= truth && truth <= (estimate.upper ?? .infinity) { covered += 1 }
            return estimate.value - truth
        }
        return (errors, covered)
    }

    /// Lives of 60 to 120 steps, cut 1 to 40 steps before the failure; guessing the mean of the
    /// truths would score an RMSE of about 11.5.
    @Test func aModelTrainedOnASyntheticFleetPredictsHeldOutUnitsWithinFiveStepsRMSE() async throws {
        let (model, report) = try await Self.train(SyntheticFleet(count: 30, seed: 1))
        let (errors, covered) = try Self.cutErrors(model, fleet: SyntheticFleet(count: 40, seed: 2))
        let rmse = RULScore.rmse(errors)
        #expect(rmse < 5, "RMSE \(rmse) on 40 cut units")
        // The stored 90% interval holds most truths (it is calibrated on other units' errors).
        #expect(covered >= 30, "\(covered) of 40 truths inside the interval")
        #expect(report.validation.units == 30)
        #expect(report.validation.rmse < 6, "held-out RMSE \(report.validation.rmse)")
        let rul = model.file.rul
        #expect(rul.signals == ["s1", "s2", "s3"])
        #expect(rul.settings == ["setting"])
        #expect(rul.regimes.centroids.count == 2)
        #expect(rul.cap == 50 && rul.window == 10)
        #expect(rul.training.digest.hasPrefix("sha256:"))
        #expect(model.file.members.count == 3)
    }

    @Test func theModelFileRoundTripsToTheSameEstimates() async throws {
        let (model, _) = try await Self.train(SyntheticFleet(count: 12, shortest: 40, longest: 60, seed: 5))
        let decoded = RULModel(file: try RULModelFile.decode(model.file.encoded()))
        #expect(decoded == model)
        #expect(decoded.identity == model.identity)
        let rows = SyntheticFleet(count: 1, seed: 9).units[0].rows.map { [$0[0], $0[1], $0[2], $0[3]] }
        #expect(decoded.estimateEveryStep(rows) == model.estimateEveryStep(rows))
    }

    @Test func aTrainingFileWithoutAnyFailureIsRefusedWithItsReason() async throws {
        let histories = try Self.reader.parse(SyntheticFleet(count: 6, seed: 3).csv(failures: false), file: "log.csv")
        do {
            _ = try await RULTrainer.train(histories, settings: Self.settings)
            Issue.record("trained without a failure")
        } catch {
            #expect(error == .data(.noFailure("log.csv", units: 6)))
            #expect(error.description.hasPrefix("log.csv: none of its 6 units ends in a failure"))
        }
    }

    @Test func tooFewFailuresForTheEnsembleAreRefused() async throws {
        let histories = try Self.reader.parse(
            SyntheticFleet(count: 4, seed: 3).csv { $0.id <= 2 ? nil : 10 },
            file: "two.csv"
        )
        await #expect(throws: RULTrainer.Failure.tooFewFailures(found: 2, needed: 3)) {
            try await RULTrainer.train(histories, settings: Self.settings)
        }
    }
}
