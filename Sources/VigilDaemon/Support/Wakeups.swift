/// A coalescing wake-up signal from one service to another: many `signal()`s before the
/// waiter looks count as one.
public struct Wakeups: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Creates a signal.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the waiter (or the next one to wait).
    public func signal() {
        continuation.yield()
    }

    /// Waits for a signal; false when the waiting task is cancelled.
    public func wait() async -> Bool {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next() != nil
    }
}
