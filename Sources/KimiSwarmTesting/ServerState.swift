import NIOCore
import Synchronization

/// The mutable state shared between the server object and its connection handlers.
///
/// All access goes through a `Mutex`, so it can be touched from any event loop or task.
final class ServerState: Sendable {
    private struct Storage {
        var queue: [FakeResponse] = []
        var requests: [RecordedRequest] = []
        var disconnects = 0
        var shuttingDown = false
        var channels: [ObjectIdentifier: any Channel] = [:]
        var observer: (@Sendable (RecordedRequest) -> Void)?
        var responder: (@Sendable (RecordedRequest) -> FakeResponse?)?
        var outcomeObserver: (@Sendable (Int, ResponseOutcome) -> Void)?
    }

    private let storage = Mutex(Storage())

    /// Appends scripted responses to the FIFO queue.
    func enqueue(_ responses: [FakeResponse]) {
        storage.withLock { $0.queue.append(contentsOf: responses) }
    }

    /// Number of scripted responses not consumed yet.
    var pendingResponseCount: Int {
        storage.withLock { $0.queue.count }
    }

    /// Drops all scripted responses not consumed yet.
    func clearQueue() {
        storage.withLock { $0.queue.removeAll() }
    }

    /// Records a completed request and atomically takes the next scripted response (if any).
    func receive(
        method: String,
        uri: String,
        headers: [(name: String, value: String)],
        body: [UInt8]
    ) -> (request: RecordedRequest, scripted: FakeResponse?) {
        let (request, queued, observer, responder) = storage.withLock { storage in
            let request = RecordedRequest(
                sequenceNumber: storage.requests.count + 1,
                method: method,
                uri: uri,
                headers: headers,
                body: body
            )
            storage.requests.append(request)
            let queued = storage.queue.isEmpty ? nil : storage.queue.removeFirst()
            return (request, queued, storage.observer, storage.responder)
        }
        observer?(request)
        return (request, queued ?? responder?(request))
    }

    /// Every request received so far, in order.
    var requests: [RecordedRequest] {
        storage.withLock { $0.requests }
    }

    /// Number of requests received so far.
    var requestCount: Int {
        storage.withLock { $0.requests.count }
    }

    /// Forgets the recorded requests and the disconnect counter.
    func clearRecords() {
        storage.withLock {
            $0.requests.removeAll()
            $0.disconnects = 0
        }
    }

    /// Installs the responder consulted when the queue is empty.
    func setResponder(_ responder: (@Sendable (RecordedRequest) -> FakeResponse?)?) {
        storage.withLock { $0.responder = responder }
    }

    /// Installs the per-request observer.
    func setObserver(_ observer: (@Sendable (RecordedRequest) -> Void)?) {
        storage.withLock { $0.observer = observer }
    }

    /// Installs the observer told how each response ended (by request sequence number).
    func setOutcomeObserver(_ observer: (@Sendable (Int, ResponseOutcome) -> Void)?) {
        storage.withLock { $0.outcomeObserver = observer }
    }

    /// Reports how the response to request `sequenceNumber` ended (not during shutdown).
    func recordOutcome(_ outcome: ResponseOutcome, sequenceNumber: Int) {
        let observer = storage.withLock { $0.shuttingDown ? nil : $0.outcomeObserver }
        observer?(sequenceNumber, outcome)
    }

    /// Counts a response abandoned because the client went away (ignored during shutdown).
    func recordClientDisconnect() {
        storage.withLock { storage in
            if !storage.shuttingDown { storage.disconnects += 1 }
        }
    }

    /// Number of responses abandoned because the client went away.
    var clientDisconnects: Int {
        storage.withLock { $0.disconnects }
    }

    /// Tracks an accepted connection; returns `false` when the server is shutting down.
    func register(_ channel: any Channel) -> Bool {
        storage.withLock { storage in
            guard !storage.shuttingDown else { return false }
            storage.channels[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    /// Stops tracking a closed connection.
    func unregister(_ channel: any Channel) {
        _ = storage.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks the server as shutting down and returns the open connections,
    /// or `nil` when shutdown had already begun.
    func beginShutdown() -> [any Channel]? {
        storage.withLock { storage in
            guard !storage.shuttingDown else { return nil }
            storage.shuttingDown = true
            return Array(storage.channels.values)
        }
    }
}
