import KimiSwarmCore

/// The errors and warnings found while reading configuration, collected so that a user sees
/// every problem at once rather than one per run.
struct ConfigurationProblems: Sendable {
    /// Problems that stop the configuration from loading.
    private(set) var errors: [String] = []
    /// Problems that are reported but do not stop loading.
    private(set) var warnings: [String] = []

    mutating func error(_ message: String) { errors.append(message) }
    mutating func warn(_ message: String) { warnings.append(message) }

    mutating func append(_ other: ConfigurationProblems) {
        errors.append(contentsOf: other.errors)
        warnings.append(contentsOf: other.warnings)
    }

    /// Replaces every occurrence of a secret in the messages with `***`. The messages are
    /// written so that they never quote a key; this is a second line of defence for the odd
    /// case (a key pasted into the wrong setting).
    mutating func redact(_ secrets: [String]) {
        // Short values would mangle ordinary words; real keys are far longer.
        let secrets = Set(secrets.filter { $0.count >= 6 }).sorted { $0.count > $1.count }
        guard !secrets.isEmpty else { return }
        func scrub(_ text: String) -> String {
            secrets.reduce(text) { $0.replacing($1, with: "***") }
        }
        errors = errors.map(scrub)
        warnings = warnings.map(scrub)
    }

    /// Throws one configuration error listing every error, if there is any.
    func throwIfErrors(hint: String) throws(KimiSwarmError) {
        guard !errors.isEmpty else { return }
        let message: String
        if errors.count == 1 {
            message = errors[0]
        } else {
            message = "\(errors.count) configuration problems:\n" + errors.map { "  - \($0)" }.joined(separator: "\n")
        }
        throw KimiSwarmError(category: .configuration, message: message, recoveryHint: hint)
    }
}

extension String {
    /// This string without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// Quoting of user-supplied values in messages.
enum Quoting {
    /// A value on one line, with line breaks shown as `\n`. Values are never cut short: a
    /// shortened secret could no longer be found and redacted.
    static func inline(_ text: String) -> String {
        text.replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }
}

/// Suggestions for misspelt names.
enum Spelling {
    /// The candidate closest to `word` when it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let tolerance = max(1, min(3, best.candidate.count / 4))
        return best.distance <= tolerance ? best.candidate : nil
    }

    /// The edit distance between two strings, counting a swap of neighbours as one edit
    /// (optimal string alignment), so that `retyr` is one edit from `retry`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
