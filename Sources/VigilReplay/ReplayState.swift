public import Foundation
public import VigilCore

/// What a replay leaves behind to be continued from: the same state a daemon persists across a
/// restart (every asset's detector snapshot and its open alarm). A replay of the rest of a series
/// that starts from it scores every row exactly as one replay of the whole series would.
public struct ReplayState: Sendable, Hashable, Codable {
    /// The format this build writes and reads.
    public static let currentVersion = 1
    /// The state's format; a state of another version is refused.
    public var version = currentVersion
    /// Detector snapshots by asset.
    public var detectors: [String: Data]
    /// Alarms open at the end, by asset.
    public var openAlarms: [String: AlarmStateMachine.OpenAlarm]

    /// Creates a state.
    public init(detectors: [String: Data], openAlarms: [String: AlarmStateMachine.OpenAlarm]) {
        self.detectors = detectors
        self.openAlarms = openAlarms
    }
}

extension Replayer {
    /// The state to continue from after the rows fed so far (call after `finish(_:)`, which closes
    /// the last tick).
    public var state: ReplayState {
        ReplayState(
            detectors: pipeline.detectorSnapshots().mapValues { Data($0) },
            openAlarms: pipeline.openAlarm(of: asset).map { [asset: $0] } ?? [:]
        )
    }

    /// Continues from the state an earlier replay left, before any row is fed.
    public mutating func resume(from state: ReplayState) {
        pipeline.restore(detectorSnapshots: state.detectors.mapValues { Array($0) })
        pipeline.restore(openAlarms: state.openAlarms)
    }
}
