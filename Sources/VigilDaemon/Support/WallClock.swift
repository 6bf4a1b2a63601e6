internal import Foundation
public import VigilCore

/// The daemon's only reading of the wall clock: arrival times of payloads without a time stamp,
/// and the cutoff of retention. Everything downstream receives times as values.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Timestamp

    /// The system clock.
    public static let system = WallClock { Timestamp(seconds: Date().timeIntervalSince1970) }

    /// A clock that reads `read` (tests pass a fixed or stepped time).
    public init(_ read: @escaping @Sendable () -> Timestamp) {
        self.read = read
    }

    /// The current time.
    public func now() -> Timestamp { read() }
}
