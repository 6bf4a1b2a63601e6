internal import VigilCore

extension ConfigDuration {
    /// A duration written in the largest unit that divides it (`600 s` is `10m`), for defaults
    /// that come from `VigilCore` as `Duration`s.
    public init(_ duration: Duration) {
        let milliseconds = duration.wholeMilliseconds
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        let text =
            units.first { milliseconds != 0 && milliseconds % $0.1 == 0 }.map { "\(milliseconds / $0.1)\($0.0)" }
            ?? "\(milliseconds)ms"
        self = ConfigDuration(text)!
    }
}
