/// The largest of the values pushed within the last `horizon` pushes, in amortised O(1) (a
/// monotonic queue of the values that can still become the maximum).
struct SlidingMaximum: Sendable, Hashable, Codable {
    struct Entry: Sendable, Hashable, Codable {
        var index: Int
        var value: Double
    }

    let horizon: Int
    private var entries: [Entry] = []
    private var head = 0
    private var count = 0

    init(horizon: Int) { self.horizon = horizon }

    /// The maximum of the last `horizon` values pushed, or nil when there are none.
    mutating func maximum() -> Double? {
        while head < entries.count, entries[head].index < count - horizon {
            head += 1
        }
        compact()
        return head < entries.count ? entries[head].value : nil
    }

    mutating func push(_ value: Double) {
        while entries.count > head, let last = entries.last, last.value <= value { entries.removeLast() }
        entries.append(Entry(index: count, value: value))
        count += 1
    }

    /// Drops the expired entries in bulk, so that a long horizon costs no O(n) shift per push.
    private mutating func compact() {
        if head > 64 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}

/// Passes a score only at the onset of an excursion: when it exceeds every score of the last
/// `horizon` ticks; otherwise 0.
struct OnsetFilter: Sendable, Hashable, Codable {
    private var recent: SlidingMaximum

    init(horizon: Int) { recent = SlidingMaximum(horizon: horizon) }

    mutating func filter(_ score: Double) -> Double {
        guard recent.horizon > 0 else { return score }
        let passed = (recent.maximum().map { score > $0 } ?? true) ? score : 0
        recent.push(score)
        return passed
    }
}

/// One view of how unusual a tick is: a magnitude (an error, a distance) averaged over the last
/// `averaging` ticks and divided by the largest average of the last `history` ticks. A ratio
/// above 1 is a new record. The channel learns its own records for `quiet` ticks before it scores.
/// It learns every tick, also under an alarm: a change that lasts becomes part of the records, so
/// the channel adapts to a new normal as HTM's likelihood does, and an excursion the asset got
/// over is not news the next time.
struct RecordChannel: Sendable, Hashable, Codable {
    private var recent: [Double]
    private var next = 0
    private var filled = 0
    private var sum = 0.0
    private var record: SlidingMaximum
    private var learned = 0
    let quiet: Int

    init(averaging: Int, history: Int, quiet: Int) {
        recent = Array(repeating: 0, count: max(averaging, 1))
        record = SlidingMaximum(horizon: history)
        self.quiet = quiet
    }

    /// Whether the channel has learned enough to score.
    var isScoring: Bool { learned >= quiet }

    /// The average of the magnitudes over the last ticks divided by its record (0 while quiet);
    /// the average then joins the records.
    mutating func ratio(_ magnitude: Double) -> Double {
        if filled == recent.count { sum -= recent[next] } else { filled += 1 }
        recent[next] = magnitude
        sum += magnitude
        next = (next + 1) % recent.count
        // Recomputed now and then, so that rounding errors of the running sum cannot pile up.
        if next == 0 { sum = recent[0..<filled].reduce(0, +) }
        let average = max(sum / Double(filled), 0)
        let reference = record.maximum() ?? 0
        let result = isScoring && reference > 0 ? average / reference : 0
        record.push(average)
        learned += 1
        return result
    }
}
