public import VigilModel
internal import VigilNN

/// Finds the operating regimes of a fleet from its operational settings: k-means on the settings
/// (each divided by its range), with k the smallest from 1 to `maxRegimes` whose clusters are
/// tight (within-cluster scatter at most `tightness` of the total). Settings that only jitter
/// around one operating point (C-MAPSS FD001 and FD003) never reach that, so they give one regime;
/// FD002 and FD004 give their six flight conditions.
public enum RegimeClustering {
    /// The most regimes looked for.
    public static let maxRegimes = 8
    /// The largest share of the settings' scatter left within clusters for them to count as regimes.
    public static let tightness = 1e-3
    /// Rows used to find the clusters (an even sample of larger data).
    static let sampleSize = 2000

    /// The regimes of `rows` (each the values of the settings).
    public static func fit(_ rows: [[Double]], seed: UInt64 = 1) -> RegimeTable {
        guard let width = rows.first?.count, width > 0, rows.count >= 2 else { return .single }
        var scale = [Double](repeating: 1, count: width)
        for k in 0..<width {
            let values = rows.map { $0[k] }
            let range = values.max()! - values.min()!
            scale[k] = range > 0 ? range : 1
        }
        let step = max(1, rows.count / sampleSize)
        let points = stride(from: 0, to: rows.count, by: step).map { index in
            (0..<width).map { rows[index][$0] / scale[$0] }
        }
        let total = scatter(points, centroids: [mean(points)])
        guard total > 0 else { return RegimeTable(settingScale: scale, centroids: [mean(points)]) }
        for k in 2...maxRegimes where k <= points.count {
            let centroids = kMeans(points, k: k, seed: seed)
            if scatter(points, centroids: centroids) <= tightness * total {
                // Order regimes by their centroids so the same data always numbers them alike.
                return RegimeTable(
                    settingScale: scale,
                    centroids: centroids.sorted { $0.lexicographicallyPrecedes($1) }
                )
            }
        }
        return RegimeTable(settingScale: scale, centroids: [mean(points)])
    }

    /// k-means with k-means++ seeding, the best of three starts.
    static func kMeans(_ points: [[Double]], k: Int, seed: UInt64) -> [[Double]] {
        var random = NNRandom(seed: seed &+ UInt64(k))
        var best: [[Double]] = []
        var bestScatter = Double.infinity
        for _ in 0..<3 {
            var centroids = [points[Int(random.next() % UInt64(points.count))]]
            while centroids.count < k {
                let distances = points.map { point in centroids.map { squaredDistance(point, $0) }.min()! }
                let sum = distances.reduce(0, +)
                guard sum > 0 else { break }
                var target = Double(random.next() >> 11) / Double(1 << 53) * sum
                var chosen = points.count - 1
                for (index, distance) in distances.enumerated() {
                    target -= distance
                    if target <= 0 {
                        chosen = index
                        break
                    }
                }
                centroids.append(points[chosen])
            }
            for _ in 0..<50 {
                var sums = [[Double]](repeating: [Double](repeating: 0, count: points[0].count), count: centroids.count)
                var counts = [Int](repeating: 0, count: centroids.count)
                for point in points {
                    let nearest = nearestIndex(point, centroids)
                    counts[nearest] += 1
                    for d in point.indices { sums[nearest][d] += point[d] }
                }
                var moved = false
                for c in centroids.indices where counts[c] > 0 {
                    let updated = sums[c].map { $0 / Double(counts[c]) }
                    if updated != centroids[c] { moved = true }
                    centroids[c] = updated
                }
                if !moved { break }
            }
            let value = scatter(points, centroids: centroids)
            if value < bestScatter {
                bestScatter = value
                best = centroids
            }
        }
        return best
    }

    static func scatter(_ points: [[Double]], centroids: [[Double]]) -> Double {
        points.reduce(0) { $0 + squaredDistance($1, centroids[nearestIndex($1, centroids)]) }
    }

    static func nearestIndex(_ point: [Double], _ centroids: [[Double]]) -> Int {
        var best = 0
        var bestDistance = Double.infinity
        for (index, centroid) in centroids.enumerated() {
            let distance = squaredDistance(point, centroid)
            if distance < bestDistance {
                bestDistance = distance
                best = index
            }
        }
        return best
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices {
            let d = a[index] - b[index]
            sum += d * d
        }
        return sum
    }

    static func mean(_ points: [[Double]]) -> [Double] {
        var sum = [Double](repeating: 0, count: points[0].count)
        for point in points { for d in point.indices { sum[d] += point[d] } }
        return sum.map { $0 / Double(points.count) }
    }
}
