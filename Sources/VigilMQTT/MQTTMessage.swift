/// A message received from the broker, copied out of libmosquitto's buffers.
public struct MQTTMessage: Sendable, Hashable {
    /// The concrete topic.
    public var topic: String
    /// The payload bytes.
    public var payload: [UInt8]
    /// The QoS it was delivered with.
    public var qos: Int32
    /// Whether it was a retained message.
    public var retain: Bool

    /// Creates a message.
    public init(topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
