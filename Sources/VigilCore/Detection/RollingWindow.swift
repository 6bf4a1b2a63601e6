/// The last `capacity` values of a series, with robust statistics over them.
struct RollingWindow: Sendable, Codable {
    private var storage: [Double]
    private var scratch: [Double]
    private var next = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage = Array(repeating: 0, count: capacity)
        scratch = []
        scratch.reserveCapacity(capacity)
    }

    mutating func append(_ value: Double) {
        storage[next] = value
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// The median and the median absolute deviation of the values held.
    mutating func medianAndMAD() -> (median: Double, mad: Double) {
        precondition(count > 0)
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: storage[0..<count])
        scratch.sort()
        let median = Self.median(ofSorted: scratch)
        for index in scratch.indices { scratch[index] = abs(scratch[index] - median) }
        scratch.sort()
        return (median, Self.median(ofSorted: scratch))
    }

    private static func median(ofSorted values: [Double]) -> Double {
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
