/// The keys a ``JWTVerifier`` may use.
public struct JWTKeySet: Sendable {
    /// The keys, in the order given.
    public var keys: [JWTVerificationKey]

    /// A set of the given keys.
    public init(_ keys: [JWTVerificationKey]) {
        self.keys = keys
    }

    /// Whether the set has no key.
    public var isEmpty: Bool { keys.isEmpty }

    /// Whether a key with id `keyID` is in the set.
    public func contains(keyID: String) -> Bool {
        keys.contains { $0.keyID == keyID }
    }

    /// The keys that may verify a token with header `alg` and optional `kid`.
    ///
    /// With a `kid`, only keys with that id are candidates (none: ``JWTError/unknownKey``).
    /// Without one, a set of one key offers that key; a larger set offers every key whose pinned
    /// algorithm is `algorithm`. Candidates whose algorithm differs are refused with
    /// ``JWTError/algorithmMismatch``.
    func candidates(algorithm: JWTAlgorithm, keyID: String?) throws(JWTError) -> [JWTVerificationKey] {
        let selected: [JWTVerificationKey]
        if let keyID {
            selected = keys.filter { $0.keyID == keyID }
            guard !selected.isEmpty else { throw .unknownKey }
        } else if keys.count == 1 {
            selected = keys
        } else {
            guard !keys.isEmpty else { throw .unknownKey }
            selected = keys.filter { $0.algorithm == algorithm }
        }
        let matching = selected.filter { $0.algorithm == algorithm }
        guard !matching.isEmpty else { throw .algorithmMismatch }
        return matching
    }
}
