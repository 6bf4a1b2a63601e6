public import VigilCore

/// One command the daemon answered, as kept in the audit trail (`vigil events --kind command`).
public struct CommandRecord: Hashable, Sendable {
    /// Row id (0 before it is stored).
    public var id: Int64
    /// When it arrived.
    public var time: Timestamp
    /// Who sent it: `key <name>` for a signed command, else `unsigned`.
    public var origin: String
    /// The command's name as sent, if readable.
    public var command: String?
    /// The asset it named, if any.
    public var asset: String?
    /// The id it gave, if any.
    public var commandID: String?
    /// Whether it was carried out.
    public var accepted: Bool
    /// Why not (a `CommandRefusal` code), when refused.
    public var reason: String?
    /// What happened, for a person.
    public var detail: String

    /// Creates a record.
    public init(
        id: Int64 = 0,
        time: Timestamp,
        origin: String,
        command: String?,
        asset: String?,
        commandID: String?,
        accepted: Bool,
        reason: String?,
        detail: String
    ) {
        self.id = id
        self.time = time
        self.origin = origin
        self.command = command
        self.asset = asset
        self.commandID = commandID
        self.accepted = accepted
        self.reason = reason
        self.detail = detail
    }
}
