/// The most recent latency samples (a ring of fixed size) and their percentiles.
///
/// Exact over the window: percentiles are read from the sorted samples (nearest rank), so a
/// snapshot describes the last `capacity` calls, not the whole life of the process.
struct LatencyWindow: Sendable {
    private var samples: [Duration] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        samples.reserveCapacity(min(capacity, 1024))
    }

    mutating func record(_ sample: Duration) {
        if samples.count < capacity {
            samples.append(sample)
        } else {
            samples[next] = sample
        }
        next = (next + 1) % capacity
    }

    var count: Int { samples.count }

    /// Nearest-rank percentiles (0...100), in the order asked.
    func percentiles(_ ranks: [Double]) -> [Duration?] {
        guard !samples.isEmpty else { return ranks.map { _ in nil } }
        let sorted = samples.sorted()
        return ranks.map { rank in
            let position = Int((rank / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(position, 0), sorted.count - 1)]
        }
    }
}
