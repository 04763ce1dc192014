/// Problems found while loading templates or swarms: each names the file and the field.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem per line, `file: field `name`: what is wrong`.
    public var problems: [String]

    /// Creates an error.
    public init(problems: [String]) { self.problems = problems }

    public var description: String {
        problems.count == 1 ? problems[0] : "\(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
