extension EchoModel {
    /// Default number of dimensions of echo embeddings (`dimensions` in the request overrides it).
    static let embeddingDimensions = 8

    /// `POST .../embeddings`: one deterministic unit vector per input, derived from a hash of
    /// the input text. Supports `dimensions` and `encoding_format: "base64"`.
    static func embeddings(_ request: RecordedRequest) -> FakeResponse {
        guard let json = request.json, json.objectValue != nil else {
            return OpenAIWire.error(message: "We could not parse the JSON body of your request.")
        }
        guard let inputs = embeddingInputs(json["input"]), !inputs.isEmpty else {
            return OpenAIWire.error(message: "'input' must be a non-empty string or array.", param: "input")
        }
        let dimensions = min(max(json["dimensions"]?.intValue ?? embeddingDimensions, 1), 4096)
        let vectors = inputs.map { vector(for: $0, dimensions: dimensions) }
        let tokens = inputs.reduce(0) { $0 + WireText.wordCount($1) }
        return OpenAIWire.embeddings(
            model: json["model"]?.stringValue ?? modelIDs[1],
            vectors: vectors,
            promptTokens: tokens,
            base64: json["encoding_format"]?.stringValue == "base64"
        )
    }

    /// The texts to embed: a string, an array of strings, a token array, or an array of token arrays
    /// (token arrays are embedded as their space-joined numbers).
    private static func embeddingInputs(_ input: WireJSON?) -> [String]? {
        switch input {
        case .string(let text):
            return [text]
        case .array(let elements):
            if !elements.isEmpty, elements.allSatisfy({ $0.doubleValue != nil }) {
                return [tokenText(elements)]
            }
            return elements.compactMap { element in
                element.stringValue ?? element.arrayValue.map(tokenText)
            }
        default:
            return nil
        }
    }

    private static func tokenText(_ tokens: [WireJSON]) -> String {
        tokens.compactMap { $0.intValue.map(String.init) }.joined(separator: " ")
    }

    /// A deterministic unit vector for `text` (FNV-1a seed, SplitMix64 sequence), rounded to 6 places.
    static func vector(for text: String, dimensions: Int) -> [Double] {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            seed ^= UInt64(byte)
            seed = seed &* 0x0000_0100_0000_01b3
        }
        var raw: [Double] = []
        raw.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            seed &+= 0x9e37_79b9_7f4a_7c15
            var mixed = seed
            mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
            mixed ^= mixed >> 31
            raw.append(Double(mixed >> 11) / Double(1 << 53) * 2 - 1)
        }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { value in
            let unit = norm > 0 ? value / norm : 0
            return (unit * 1_000_000).rounded() / 1_000_000
        }
    }
}
