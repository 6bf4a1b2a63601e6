extension Array where Element: NNScalar {
    /// `count` values drawn uniformly from [−bound, bound]: PyTorch's initialisation of recurrent
    /// and dense layers.
    static func uniform(count: Int, bound: Element, using random: inout some RandomNumberGenerator) -> [Element] {
        (0..<count).map { _ in Element(Double.random(in: -1...1, using: &random)) * bound }
    }

    /// Consecutive slices of the given lengths, for unpacking a flat parameter vector.
    func split(into counts: [Int]) -> [[Element]] {
        precondition(counts.reduce(0, +) == count, "parameter vector has the wrong length")
        var offset = 0
        return counts.map { length in
            defer { offset += length }
            return Array(self[offset..<offset + length])
        }
    }
}

extension Array where Element: NNScalar {
    /// The matrix `[rows × columns]` (row-major) transposed to `[columns × rows]`: the training
    /// passes read a weight matrix one column at a time.
    func transposed(rows: Int, columns: Int) -> [Element] {
        precondition(count == rows * columns)
        var result = [Element](repeating: 0, count: count)
        for row in 0..<rows {
            for column in 0..<columns { result[column * rows + row] = self[row * columns + column] }
        }
        return result
    }
}
