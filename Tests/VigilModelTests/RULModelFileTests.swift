import Foundation
import Testing
import VigilModel
import VigilNN

@Suite struct RULModelFileTests {
    func model() -> RULModelFile {
        RULModelFile(
            members: (1...2).map {
                SequenceRegressor(
                    kind: .gru,
                    inputSize: 3,
                    hiddenSize: 4,
                    headSizes: [3],
                    outputSize: 1,
                    seed: UInt64($0)
                )
            },
            rul: RULDescription(
                cap: 125,
                window: 30,
                stepUnit: "cycle",
                signals: ["s2", "s3"],
                settings: ["setting1"],
                regimes: RegimeTable(settingScale: [42], centroids: [[0], [1]]),
                normalisation: RegimeNormalisation(center: [[1, 2], [3, 4]], scale: [[0.5, 1], [2, 0.1]]),
                unitInputs: UnitInputs(baselineSteps: 20, ageScale: 125),
                interval: IntervalCalibration(
                    coverage: 0.9,
                    bands: [
                        IntervalBand(from: 0, lower: -10, upper: 12), IntervalBand(from: 100, lower: -30, upper: nil),
                    ]
                ),
                training: RULTrainingRecord(
                    digest: "sha256:00",
                    sources: ["train_FD001.txt"],
                    units: 100,
                    failedUnits: 100,
                    rows: 20631,
                    epochs: [12, 14],
                    validation: RULValidation(units: 100, rmse: 11, cutRMSE: 12, cutScore: 300),
                    seed: 1,
                    trainedAt: "2026-12-01T00:00:00Z"
                )
            )
        )
    }

    @Test func roundTripsExactlyAndReportsItsTask() throws {
        let original = model()
        let decoded = try RULModelFile.decode(original.encoded())
        #expect(decoded == original)
        #expect(decoded.rul.inputCount == 3)
        #expect(decoded.rul.interval.band(for: 50).upper == 12 && decoded.rul.interval.band(for: 110).upper == nil)
        // Each reader refuses the other task's file with its own error.
        #expect(throws: ModelFileError.wrongTask(found: "rul", expected: "forecast")) {
            try ModelFile.decode(original.encoded())
        }
    }

    @Test func aDescriptionThatDoesNotFitTogetherIsRefused() throws {
        func refused(_ edit: (inout RULModelFile) -> Void) -> Bool {
            var file = model()
            edit(&file)
            do {
                _ = try RULModelFile.decode(file.encoded())
                return false
            } catch {
                guard case .malformedHeader = error else { return false }
                return true
            }
        }
        #expect(refused { $0.rul.normalisation.scale[1][0] = 0 })
        #expect(refused { $0.rul.normalisation.center = [[1, 2]] })
        #expect(refused { $0.rul.regimes.settingScale = [] })
        #expect(refused { $0.rul.cap = -1 })
        #expect(refused { $0.rul.signals = ["s2", "s2"] })
        #expect(refused { $0.rul.unitInputs.ageScale = nil })  // the members read three inputs
        #expect(refused { $0.rul.interval.bands = [] })
        #expect(refused { $0.members = [] })
    }
}
