/// Resolves a host name to addresses for `http_get`. The tool resolves each host once per
/// request, checks every address, and connects to a checked address, so that a name that
/// resolves differently the second time (DNS rebinding) cannot reach a refused address.
///
/// Tests inject fakes; production uses ``SystemHostResolver``.
public protocol HostResolver: Sendable {
    /// All addresses (IPv4 and IPv6) of `host`; throws when the name does not resolve.
    func resolve(host: String, port: Int) async throws -> [IPAddress]
}
