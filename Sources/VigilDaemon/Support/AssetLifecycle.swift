/// Which assets the daemon keeps, beyond what the pipeline holds: when each one's last reading
/// arrived, which are dormant (known from the database, not yet seen in this run), and the rules by
/// which new names are admitted and quiet ones forgotten.
///
/// - An asset whose last reading arrived longer ago than `expiry` is forgotten, live or dormant,
///   unless it has an open alarm: its row, last time stamps and detector snapshot go, and its
///   retained state topic is cleared (its events stay as history).
/// - An entry admits at most `newAssetsPerMinute` assets it has never seen (a budget of a minute's
///   worth, refilled continuously); a dormant asset coming back is not new.
/// - An entry at its `max_assets` makes room for a new asset by forgetting the one of its assets
///   that has been quiet longest, if that one has been quiet for at least `evictionIdle` and has no
///   open alarm. Junk names seen once therefore cannot lock real assets out for longer than that.
/// - All known assets together, live and dormant, are at most `capacity` (the entries' `max_assets`
///   summed): a restart does not make room for another crowd of junk names. Beyond it, a new asset
///   takes the place of the asset, of any entry, quiet longest (for `evictionIdle` at least), and
///   at start the dormant assets quiet longest beyond it are forgotten.
///
/// Times are arrival times in milliseconds (`ArrivalClock`: they never go back). A pure value; the
/// pipeline service applies what it decides.
public struct AssetLifecycle: Sendable {
    /// How long an asset may be quiet before it is forgotten; nil: never.
    public let expiry: Duration?
    /// How long an asset must have been quiet before a new one may take its place at the cap.
    public static let evictionIdle = Duration.seconds(3600)

    private var lastArrival: [String: Int64] = [:]
    private var profileOf: [String: Int] = [:]
    private var admission: [Int: TokenBucket] = [:]
    private let newAssetsPerMinute: [Int]
    /// Most assets known at once, live and dormant.
    public let capacity: Int

    /// Creates the lifecycle for entries that admit `newAssetsPerMinute[profile]` new assets a
    /// minute, and at most `capacity` assets known together (nil: no bound).
    public init(expiry: Duration?, newAssetsPerMinute: [Int], capacity: Int? = nil) {
        self.expiry = expiry.flatMap { $0 > .zero ? $0 : nil }
        self.newAssetsPerMinute = newAssetsPerMinute
        self.capacity = capacity ?? .max
    }

    /// Remembers the assets of an earlier run (name → last arrival, ms) as dormant.
    public mutating func restore(dormant: [String: Int64]) {
        for (name, time) in dormant where lastArrival[name] == nil { lastArrival[name] = time }
    }

    /// Whether the asset is known, live or dormant.
    public func knows(_ asset: String) -> Bool { lastArrival[asset] != nil }

    /// How many assets are known, live or dormant.
    public var count: Int { lastArrival.count }

    /// Takes one of the entry's new-asset admissions at `now`; false when its budget is spent.
    public mutating func admitNew(profile: Int, at now: Int64) -> Bool {
        let perMinute = profile < newAssetsPerMinute.count ? newAssetsPerMinute[profile] : 0
        var bucket = admission[profile] ?? TokenBucket(capacity: perMinute, period: .seconds(60))
        let admitted = bucket.take(at: now)
        admission[profile] = bucket
        return admitted
    }

    /// Records a reading of `asset` (of entry `profile`) that arrived at `now`.
    public mutating func touch(_ asset: String, profile: Int, at now: Int64) {
        lastArrival[asset] = max(lastArrival[asset] ?? now, now)
        profileOf[asset] = profile
    }

    /// The live asset of `profile` (any asset, live or dormant, when nil) quiet longest, if it has
    /// been quiet for `evictionIdle` at `now` and `hasOpenAlarm` says it has none.
    public func evictionCandidate(profile: Int?, at now: Int64, hasOpenAlarm: (String) -> Bool) -> String? {
        let idle = Self.evictionIdle.components.seconds * 1000
        return lastArrival.filter { name, time in
            (profile == nil || profileOf[name] == profile) && now - time >= idle && !hasOpenAlarm(name)
        }.min { ($0.value, $0.key) < ($1.value, $1.key) }?.key
    }

    /// The dormant assets beyond `capacity`, quiet longest first, without an open alarm: what a
    /// start forgets.
    public func beyondCapacity(hasOpenAlarm: (String) -> Bool) -> [String] {
        guard lastArrival.count > capacity else { return [] }
        let dormant = lastArrival.filter { profileOf[$0.key] == nil && !hasOpenAlarm($0.key) }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        return Array(dormant.prefix(lastArrival.count - capacity))
    }

    /// The assets, live or dormant, quiet for longer than `expiry` at `now` and without an open alarm.
    public func expired(at now: Int64, hasOpenAlarm: (String) -> Bool) -> [String] {
        guard let expiry else { return [] }
        let limit = expiry.components.seconds * 1000
        return lastArrival.filter { now - $0.value > limit && !hasOpenAlarm($0.key) }.keys.sorted()
    }

    /// Forgets an asset.
    public mutating func remove(_ asset: String) {
        lastArrival[asset] = nil
        profileOf[asset] = nil
    }
}
