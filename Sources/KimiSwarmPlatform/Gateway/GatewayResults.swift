package import KimiSwarmCore

/// A chat completion of ``GatewayService/chat(_:principal:)``, billed already.
package struct GatewayCompletion: Sendable {
    package var response: ChatResponse
    /// The provider's id, or a fresh `chatcmpl-…` when it gave none.
    package var id: String
    /// Seconds since 1970: the provider's date, or the service clock's.
    package var created: Int
}

/// One model of ``GatewayService/models(principal:)``.
package struct GatewayModel: Sendable, Hashable {
    package var id: String
    /// The provider that serves it.
    package var ownedBy: String
    /// Seconds since 1970 (a fixed date: providers give none).
    package var created: Int

    package init(id: String, ownedBy: String, created: Int = 1_700_000_000) {
        self.id = id
        self.ownedBy = ownedBy
        self.created = created
    }
}
