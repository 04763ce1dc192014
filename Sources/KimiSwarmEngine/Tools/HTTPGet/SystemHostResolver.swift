import KimiSwarmCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves names with the system's `getaddrinfo` (IPv4 and IPv6), run on NIO's blocking
/// thread pool, never on an event loop. A cancelled caller returns at once; the lookup in
/// flight finishes on its thread and its result is dropped.
public struct SystemHostResolver: HostResolver {
    /// Creates the resolver.
    public init() {}

    public func resolve(host: String, port: Int) async throws -> [IPAddress] {
        let pending = PendingLookup()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard pending.wait(continuation) else { return }
                NIOThreadPool.singleton.submit { state in
                    guard case .active = state else {
                        pending.finish(.failure(CancellationError()))
                        return
                    }
                    pending.finish(Result { try Self.lookUp(host: host, port: port) })
                }
            }
        } onCancel: {
            pending.finish(.failure(CancellationError()))
        }
    }

    private static func lookUp(host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let first = list else {
            let reason = code == 0 ? "no addresses" : String(cString: gai_strerror(code))
            throw ToolError("could not resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    let address = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self).sin_addr
                    if let ip = withUnsafeBytes(of: address, { IPAddress(bytes: $0) }) { addresses.append(ip) }
                case AF_INET6:
                    let address = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in6.self).sin6_addr
                    if let ip = withUnsafeBytes(of: address, { IPAddress(bytes: $0) }) { addresses.append(ip) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        let unique = addresses.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw ToolError("could not resolve \(host): no IPv4 or IPv6 addresses") }
        return unique
    }
}

/// A continuation resumed exactly once: by the lookup or by cancellation, whichever is first.
private final class PendingLookup: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<[IPAddress], any Error>)
        case done
    }

    private let state = Mutex<State>(.idle)

    /// Stores the continuation; false (after resuming it with `CancellationError`) when the
    /// caller was cancelled before the lookup started.
    func wait(_ continuation: CheckedContinuation<[IPAddress], any Error>) -> Bool {
        let cancelled = state.withLock { state -> Bool in
            if case .done = state { return true }
            state = .waiting(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func finish(_ result: Result<[IPAddress], any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<[IPAddress], any Error>? in
            defer { state = .done }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume(with: result)
    }
}
