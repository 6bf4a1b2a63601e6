internal import Foundation

/// The bounded queue between libmosquitto's network thread and the one Swift task that consumes
/// messages.
///
/// `push` runs on the network thread and WAITS while the queue is full: libmosquitto writes the
/// PUBACK of a QoS 1 message only after the message callback returns, so a full queue holds back
/// acknowledgements (and, through TCP, the broker) instead of dropping anything.
///
/// With `holdsUntilReleased`, a message taken by the consumer keeps its place until the consumer
/// calls `release()` (once what the messages caused is durable): the messages acknowledged to the
/// broker and not yet released, which are all a crash can lose, are then at most `capacity`.
/// Without it, a place is free as soon as its message is taken.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`, which is also what the
/// producer waits on; the consumer side never blocks a thread (it suspends on a continuation).
final class InboundQueue: @unchecked Sendable {
    let capacity: Int
    let holdsUntilReleased: Bool
    private let condition = NSCondition()
    private var buffer: [MQTTMessage] = []
    private var head = 0
    /// Messages taken and not yet released (always 0 unless `holdsUntilReleased`).
    private var heldCount = 0
    private var waiter: CheckedContinuation<MQTTMessage?, Never>?
    private var finished = false
    private var droppedCount = 0

    init(capacity: Int, holdsUntilReleased: Bool = false) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.holdsUntilReleased = holdsUntilReleased
    }

    /// Messages pushed after `finish()`; always zero unless the broker sent after we stopped.
    var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedCount
    }

    /// Messages waiting to be consumed.
    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return buffer.count - head
    }

    /// Messages taken and not yet released.
    var held: Int {
        condition.lock()
        defer { condition.unlock() }
        return heldCount
    }

    /// Adds a message, waiting while the queue is full. Called on the network thread only.
    func push(_ message: MQTTMessage) {
        condition.lock()
        while buffer.count - head + heldCount >= capacity && !finished {
            condition.wait()
        }
        if finished {
            droppedCount += 1
            condition.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            if holdsUntilReleased { heldCount += 1 }
            condition.unlock()
            waiter.resume(returning: message)
            return
        }
        buffer.append(message)
        condition.unlock()
    }

    /// Ends the queue: the consumer gets what is left, then nil; later pushes are counted as dropped.
    func finish() {
        condition.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// Frees the places of every message taken so far.
    func release() {
        condition.lock()
        heldCount = 0
        condition.signal()
        condition.unlock()
    }

    /// The next message, or nil once the queue is finished and empty (or the consumer is cancelled).
    func next() async -> MQTTMessage? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<MQTTMessage?, Never>) in
                condition.lock()
                if head < buffer.count {
                    let message = buffer[head]
                    head += 1
                    if head > 1024 && head * 2 > buffer.count {
                        buffer.removeFirst(head)
                        head = 0
                    }
                    if holdsUntilReleased {
                        heldCount += 1
                    } else {
                        condition.signal()
                    }
                    condition.unlock()
                    continuation.resume(returning: message)
                } else if finished || Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    precondition(waiter == nil, "InboundQueue has a single consumer")
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiter = self.waiter
            self.waiter = nil
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }
}

/// The messages received on the client's subscriptions, in arrival order.
///
/// A single consumer iterates it; the sequence ends when the client has shut down and every
/// message received before that has been consumed.
public struct MQTTMessages: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage

    let queue: InboundQueue

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: InboundQueue

        public mutating func next() async -> MQTTMessage? {
            await queue.next()
        }
    }

    /// Messages received and not yet taken: 0 means the consumer has caught up.
    public var pending: Int { queue.depth }

    /// Messages taken and not yet released (see `ConnectOptions.holdsInboundUntilReleased`).
    public var held: Int { queue.held }

    /// Frees the places of every message taken so far, once what they caused is durable. Only
    /// meaningful with `ConnectOptions.holdsInboundUntilReleased`, where the network thread waits
    /// while `pending + held` reaches the capacity: a consumer must release before it waits for a
    /// message with nothing pending, or the queue may stay full of the messages it holds.
    public func release() { queue.release() }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: queue)
    }
}
