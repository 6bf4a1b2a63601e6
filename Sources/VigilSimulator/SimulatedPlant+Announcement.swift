extension SimulatedPlant {
    /// A change in the plant worth telling the person who watches the demo.
    public enum Announcement: Sendable, Hashable, CustomStringConvertible {
        /// A fault begins.
        case fault(Fault)
        /// A wear begins.
        case wearBegins(Wear)
        /// A wear has reached its full size.
        case wearComplete(Wear)

        public var description: String {
            switch self {
            case .fault(let fault): "fault injected: \(fault)"
            case .wearBegins(let wear): "wear begins: \(wear)"
            case .wearComplete(let wear): "wear complete: \(wear.signal.asset)/\(wear.signal.name) at ×\(wear.factor)"
            }
        }
    }

    /// What begins in the simulated seconds `range`, in time order. A publisher reading every
    /// `interval` seconds asks for `t..<t + interval` at the reading of second `t`.
    public func announcements(in range: Range<Int>) -> [Announcement] {
        var timed: [(time: Int, announcement: Announcement)] = faults.filter { range.contains($0.start) }.map {
            ($0.start, .fault($0))
        }
        if let wear {
            if range.contains(wear.start) { timed.append((wear.start, .wearBegins(wear))) }
            if range.contains(wear.end) { timed.append((wear.end, .wearComplete(wear))) }
        }
        return timed.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map {
            $0.element.announcement
        }
    }
}
