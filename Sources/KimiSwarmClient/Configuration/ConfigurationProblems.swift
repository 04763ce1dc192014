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
