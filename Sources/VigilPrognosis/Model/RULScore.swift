internal import Foundation

/// The scores of RUL estimates used with C-MAPSS.
public enum RULScore {
    /// Root mean squared error of `errors` (estimate − truth).
    public static func rmse(_ errors: [Double]) -> Double {
        errors.isEmpty ? 0 : (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
    }

    /// The PHM08 challenge's asymmetric score of `errors` (estimate − truth), summed: e^(−d/13) − 1
    /// for early estimates, e^(d/10) − 1 for late ones (late costs more).
    public static func phm08(_ errors: [Double]) -> Double {
        errors.reduce(0) { $0 + ($1 < 0 ? exp(-$1 / 13) - 1 : exp($1 / 10) - 1) }
    }
}
