/// A small, fast pseudo-random generator (SplitMix64) whose whole state is one `UInt64`.
///
/// The sample data must be byte-identical for a given seed on every machine and every run,
/// so nothing here touches the system generator. Each session, table and Facebook object
/// derives its own generator from the run's seed and its own index, which lets tables be
/// generated independently, in any order and in parallel.
struct SeededRandom {
    /// The generator's state; advanced by a fixed odd constant on every draw.
    private var state: UInt64

    /// Creates a generator from a raw state value.
    init(state: UInt64) {
        self.state = state
    }

    /// Creates the generator for one object of one stream: `(seed, stream, index)` always
    /// yields the same sequence, and different triples yield unrelated sequences.
    init(seed: UInt64, stream: RandomStream, index: Int) {
        let streamKey = mixBits(seed ^ (stream.rawValue &* 0xD6E8_FEB8_6659_FD93))
        self.state = mixBits(streamKey &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mixBits(state)
    }

    /// A number in `0..<upperBound` (multiply-high reduction; the bias is far below anything
    /// the sample data could show). `upperBound` must be positive.
    @inline(__always)
    mutating func below(_ upperBound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(upperBound)).high)
    }

    /// A number in the closed range.
    @inline(__always)
    mutating func between(_ lower: Int, _ upper: Int) -> Int {
        lower + below(upper - lower + 1)
    }

    /// A uniformly distributed `Double` in `0..<1`.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with the given probability.
    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// One element of a non-empty array, uniformly.
    @inline(__always)
    mutating func element<Element>(of array: [Element]) -> Element {
        array[below(array.count)]
    }

    /// An index drawn from cumulative weights (the last element is the total).
    mutating func weightedIndex(cumulative: [Double]) -> Int {
        let target = unit() * (cumulative.last ?? 0)
        var lower = 0
        var upper = cumulative.count - 1
        while lower < upper {
            let middle = (lower + upper) / 2
            if cumulative[middle] > target { upper = middle } else { lower = middle + 1 }
        }
        return lower
    }
}

/// The independent random streams of the generator; each value keys a family of generators.
enum RandomStream: UInt64 {
    case facebookCatalog = 1
    case facebookStatistics
    case session
    case sessionOrigin
    case sessionEvents
    case purchase
    case identifiers
    case profiles
}

/// The SplitMix64 finaliser: a bijection on `UInt64` that scatters bits thoroughly.
///
/// Because it is a bijection, distinct inputs give distinct outputs, which is how ids are
/// made unique by construction rather than by luck.
@inline(__always)
func mixBits(_ value: UInt64) -> UInt64 {
    var bits = value
    bits = (bits ^ (bits >> 30)) &* 0xBF58_476D_1CE4_E5B9
    bits = (bits ^ (bits >> 27)) &* 0x94D0_49BB_1331_11EB
    return bits ^ (bits >> 31)
}

/// Cumulative sums of `weights`, for `SeededRandom.weightedIndex(cumulative:)`.
func cumulativeWeights(_ weights: [Double]) -> [Double] {
    var total = 0.0
    return weights.map { weight in
        total += weight
        return total
    }
}
