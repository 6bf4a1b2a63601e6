import Testing
import VigilCore
import VigilModel
import VigilNN
import VigilPrognosis
import VigilTestSupport

@Suite struct RULRetrainerTests {
    let start = Timestamp(milliseconds: 1_795_941_120_000)

    /// The gateway's record: each unit of a synthetic fleet one after the other on one asset, a
    /// failure label at the end of each life and a repair label just after.
    func recorded(_ fleet: SyntheticFleet) -> (steps: [RunSegments.Step], labels: [MaintenanceLabel]) {
        var steps: [RunSegments.Step] = []
        var labels: [MaintenanceLabel] = []
        var second = 0
        for unit in fleet.units {
            for row in unit.rows {
                steps.append(RunSegments.Step(asset: "pump-1", time: start + .seconds(second), values: row))
                second += 60
            }
            labels.append(MaintenanceLabel(asset: "pump-1", event: .failure, time: start + .seconds(second - 30)))
            labels.append(MaintenanceLabel(asset: "pump-1", event: .repair, time: start + .seconds(second - 10)))
        }
        return (steps, labels)
    }

    func histories(_ fleet: SyntheticFleet) -> RunHistories {
        let (steps, labels) = recorded(fleet)
        return RunSegments.histories(
            steps: steps,
            labels: labels,
            columns: ["setting", "s1", "s2", "s3", "s4"],
            settings: ["setting"],
            source: "pump-1"
        )
    }

    @Test func recordedStepsAreCutIntoRunsAtTheLabels() {
        let fleet = SyntheticFleet(count: 3, seed: 4)
        var (steps, labels) = recorded(fleet)
        // A repair without a failure (preventive maintenance) five steps before the last failure
        // ends a censored run, and the last five steps are a run to failure of their own.
        labels.append(MaintenanceLabel(asset: "pump-1", event: .repair, time: steps[steps.count - 5].time))
        steps.append(
            RunSegments.Step(asset: "pump-1", time: steps.last!.time + .seconds(3600), values: [0, 1, 2, 3, 4])
        )
        let histories = RunSegments.histories(
            steps: steps,
            labels: labels,
            columns: ["setting", "s1", "s2", "s3", "s4"],
            settings: ["setting"],
            source: "pump-1"
        )
        #expect(histories.units.map(\.count) == fleet.units.map(\.life).dropLast() + [fleet.units[2].life - 5, 5, 1])
        #expect(histories.units.map(\.failed) == [true, true, false, true, false])
    }

    /// The current model was trained on the same kind of machine; the "retrained" one by a
    /// trainer that learns nothing (one epoch of a two-unit network): it must not replace it.
    @Test func aRetrainedModelThatIsWorseOnTheHeldOutRunsIsNotSwappedIn() async throws {
        let current = try await RULTrainerTests.train(SyntheticFleet(count: 24, seed: 1)).model
        let outcome = RULRetrainer.consider(current: current, histories: histories(SyntheticFleet(count: 6, seed: 2))) {
            training throws(RULTrainer.Failure) in
            var settings = RULTrainerTests.settings
            settings.hidden = 2
            settings.epochs = 1
            settings.members = 1
            return try RULTrainer.trainHere(training, settings: settings).model
        }
        guard case .kept(let candidate, let currentRMSE, let heldOut) = outcome else {
            Issue.record("expected the current model to stay: \(outcome)")
            return
        }
        #expect(candidate > currentRMSE)
        #expect(heldOut == 1)
    }

    @Test func aRetrainedModelThatIsNoWorseIsSwappedIn() async throws {
        // The current model barely learned (one epoch of a two-unit network on six units).
        let few = try RULTrainerTests.reader.parse(SyntheticFleet(count: 6, seed: 9).csv(), file: "fleet.csv")
        var settings = RULTrainerTests.settings
        settings.hidden = 2
        settings.epochs = 1
        settings.members = 1
        let current = try RULTrainer.trainHere(few, settings: settings).model
        let outcome = RULRetrainer.consider(current: current, histories: histories(SyntheticFleet(count: 15, seed: 3)))
        {
            training throws(RULTrainer.Failure) in
            try RULTrainer.trainHere(training, settings: RULTrainerTests.settings).model
        }
        guard case .swapped(let model, let candidate, let currentRMSE, let heldOut) = outcome else {
            Issue.record("expected the retrained model to be swapped in: \(outcome)")
            return
        }
        #expect(candidate <= currentRMSE)
        #expect(heldOut == 3)
        #expect(model.columns == current.columns)
    }

    @Test func fewerThanThreeCompletedRunsAreNotEnoughToRetrain() async throws {
        let current = try await RULTrainerTests.train(SyntheticFleet(count: 12, shortest: 40, longest: 60, seed: 1))
            .model
        let outcome = RULRetrainer.consider(current: current, histories: histories(SyntheticFleet(count: 2, seed: 2))) {
            _ throws(RULTrainer.Failure) in
            Issue.record("trained on too few runs")
            return current
        }
        guard case .skipped(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason == "2 completed runs to failure; retraining needs 3")
    }
}
