extension SimulatedPlant {
    /// A change in the plant worth telling the person who watches the demo.
    public enum Announcement: Sendable, Hashable, CustomStringConvertible {
        /// A fault begins.
        case fault(Fault)
        /// A wear begins.
        case wearBegins(Wear)
        /// A wear has reached its full size.
        case wearComplete(Wear)
        /// The worn part is renewed: the wear starts again from 1.
        case wearRenewed(Wear)

        public var description: String {
            switch self {
            case .fault(let fault): "fault injected: \(fault)"
            case .wearBegins(let wear): "wear begins: \(wear)"
            case .wearComplete(let wear): "wear complete: \(wear.signal.asset)/\(wear.signal.name) at ×\(wear.factor)"
            case .wearRenewed(let wear):
                "part renewed: \(wear.signal.asset)/\(wear.signal.name) back to ×1, wearing again"
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
            if let renewal = wear.renewal, range.upperBound > wear.start + renewal {
                // The wear of each period completes (unless renewed at that moment), then is renewed.
                var k = max(1, (range.lowerBound - wear.start - wear.ramp) / renewal)
                while wear.start + (k - 1) * renewal + wear.ramp < range.upperBound {
                    let complete = wear.start + (k - 1) * renewal + wear.ramp
                    if wear.ramp < renewal, range.contains(complete) { timed.append((complete, .wearComplete(wear))) }
                    let renewed = wear.start + k * renewal
                    if range.contains(renewed) { timed.append((renewed, .wearRenewed(wear))) }
                    k += 1
                }
            } else if range.contains(wear.end) {
                timed.append((wear.end, .wearComplete(wear)))
            }
        }
        return timed.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map {
            $0.element.announcement
        }
    }
}
