package import Foundation

extension JSONEncoder {
    /// Sorted keys and unescaped slashes, so stored and served bodies are stable.
    package static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
