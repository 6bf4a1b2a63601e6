public import VigilCore

/// The daemon's pipeline estimates with a `RULModel` through VigilCore's seam.
extension RULModel: RemainingLifeEstimator {
    public func estimate(recent: [[Double]], lastAge: Int, first: [[Double]]) -> RemainingLife {
        guard !recent.isEmpty, let estimate = estimate([(recent: recent, lastAge: lastAge, first: first)]).first else {
            return RemainingLife(value: cap, lower: 0, upper: nil)
        }
        return RemainingLife(value: estimate.value, lower: estimate.lower, upper: estimate.upper)
    }
}
