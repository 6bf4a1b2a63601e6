public import VigilCore

/// Filters for reading event history.
public struct EventQuery: Hashable, Sendable {
    /// Events at or after this time.
    public var since: Timestamp?
    /// Events before this time.
    public var until: Timestamp?
    /// Only this asset.
    public var asset: String?
    /// Only this kind.
    public var kind: EventKind?
    /// Only this transition.
    public var state: AlarmTransition?
    /// At most this many events (the most recent ones), in time order.
    public var limit: Int

    /// Creates a query.
    public init(
        since: Timestamp? = nil,
        until: Timestamp? = nil,
        asset: String? = nil,
        kind: EventKind? = nil,
        state: AlarmTransition? = nil,
        limit: Int = 1000
    ) {
        self.since = since
        self.until = until
        self.asset = asset
        self.kind = kind
        self.state = state
        self.limit = limit
    }
}

/// A stored event with its row id.
public struct EventRecord: Hashable, Sendable {
    /// Row id.
    public var id: Int64
    /// The event.
    public var event: Event

    /// Creates a record (for printing events that were never stored, as `vigil replay` does).
    public init(id: Int64, event: Event) {
        self.id = id
        self.event = event
    }
}
