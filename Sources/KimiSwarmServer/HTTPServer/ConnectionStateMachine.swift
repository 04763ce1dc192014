import NIOCore

/// The decisions of ``ConnectionGuard`` for one connection, apart from its I/O: when its
/// deadline is, and what to do on each event. A value type fed with the time (`now`), so that
/// tests drive it without a clock or a socket.
///
/// A connection goes through these phases:
/// - `awaitingFirstRequest`: accepted, Hummingbird's upgrade handler waits for the first
///   request head. Nothing else in the pipeline would answer a parse error or time out.
/// - `http`: plain HTTP/1.1 exchanges; ``HTTPExchangeTracker`` reports each request and
///   response boundary.
/// - `upgraded`: a WebSocket; the guard steps aside.
/// - `closing`: answered with an error (or being closed); what the client still sends is
///   dropped until it closes or the linger time is over.
struct ConnectionStateMachine {
    enum Phase: Equatable {
        case awaitingFirstRequest
        case http
        case upgraded
        case closing
    }

    /// What the guard must do after an event.
    enum Action: Equatable {
        /// Nothing (beyond passing the event on, where there is one).
        case none
        /// Close the connection now, without an answer.
        case close
        /// Write `rejection` (unless a response was already started: then close), stop
        /// reading requests, close when the client does or after the linger time.
        case reject(HTTPRejection)
    }

    let requestTimeout: TimeAmount
    let idleTimeout: TimeAmount
    let lingerTimeout: TimeAmount

    private(set) var phase: Phase = .awaitingFirstRequest
    /// When the first byte of the request now arriving came; `nil` between requests.
    private(set) var requestStarted: NIODeadline?
    /// Requests whose head arrived and whose response has not ended yet.
    private(set) var responsesPending = 0
    /// A request head arrived and not yet its end.
    private(set) var bodyIncomplete = false
    /// A response head was written and not yet its end.
    private(set) var responseStarted = false
    /// The last time bytes arrived or a response ended.
    private(set) var lastActivity: NIODeadline
    /// When the connection entered `closing`.
    private(set) var closingSince: NIODeadline?
    /// The server is shutting down: close as soon as nothing is in flight.
    private(set) var quiescing = false
    /// A parse error that came while an earlier request's response was still being made; it
    /// is answered when that response ends.
    private(set) var deferredRejection: HTTPRejection?

    init(requestTimeout: TimeAmount, idleTimeout: TimeAmount, lingerTimeout: TimeAmount, now: NIODeadline) {
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.lingerTimeout = lingerTimeout
        self.lastActivity = now
    }

    /// Whether the connection is between requests, with nothing in flight.
    var isIdle: Bool { requestStarted == nil && responsesPending == 0 && !bodyIncomplete }

    /// When ``timerFired(now:)`` should next be called; `nil` for no deadline (a response is
    /// being made, or the connection is a WebSocket). It may move later (bytes arrive): a timer
    /// that fires early does nothing but ask again.
    var deadline: NIODeadline? {
        switch phase {
        case .upgraded:
            return nil
        case .closing:
            return closingSince.map { $0 + lingerTimeout }
        case .awaitingFirstRequest, .http:
            if deferredRejection != nil { return nil }
            // A request arriving: complete within the request timeout, and no silence longer
            // than the idle timeout (half a request is no reason to stay open longer).
            if let requestStarted { return min(requestStarted + requestTimeout, lastActivity + idleTimeout) }
            if responsesPending > 0 { return nil }
            return lastActivity + idleTimeout
        }
    }

    /// Bytes arrived from the client; returns whether to pass them on (not while closing).
    mutating func bytesReceived(now: NIODeadline) -> Bool {
        switch phase {
        case .closing:
            return false
        case .upgraded:
            return true
        case .awaitingFirstRequest, .http:
            lastActivity = now
            if requestStarted == nil { requestStarted = now }
            return true
        }
    }

    /// Hummingbird set the connection up for HTTP (its first request is not an upgrade).
    mutating func httpStarted() {
        if phase == .awaitingFirstRequest { phase = .http }
    }

    /// The connection became a WebSocket: no more deadlines of ours.
    mutating func upgraded() {
        if phase == .awaitingFirstRequest || phase == .http { phase = .upgraded }
    }

    mutating func requestHead(now: NIODeadline) {
        guard phase == .http else { return }
        responsesPending += 1
        bodyIncomplete = true
        if requestStarted == nil { requestStarted = now }
    }

    mutating func requestEnd() {
        guard phase == .http else { return }
        bodyIncomplete = false
        requestStarted = nil
    }

    mutating func responseHead(isInformational: Bool) {
        guard phase == .http, !isInformational else { return }
        responseStarted = true
    }

    mutating func responseEnd(now: NIODeadline) -> Action {
        guard phase == .http else { return .none }
        responseStarted = false
        responsesPending = max(0, responsesPending - 1)
        lastActivity = now
        guard responsesPending == 0 else { return .none }
        if let rejection = deferredRejection {
            deferredRejection = nil
            return reject(rejection, now: now)
        }
        if quiescing && isIdle { return close(now: now) }
        return .none
    }

    /// The HTTP decoder could not parse what the client sent.
    mutating func parseError(_ rejection: HTTPRejection, now: NIODeadline) -> Action {
        switch phase {
        case .closing, .upgraded:
            return .none
        case .awaitingFirstRequest:
            return reject(rejection, now: now)
        case .http:
            // In the request being received (say a bad chunk), or in a new one with nothing in
            // flight: answer now. In a request pipelined behind one whose response is being
            // made: answer when that response has ended.
            if responsesPending == 0 || bodyIncomplete { return reject(rejection, now: now) }
            if deferredRejection == nil { deferredRejection = rejection }
            return .none
        }
    }

    /// The input was closed by the server itself, not by the client.
    private(set) var serverClosedInput = false

    mutating func inputClosedByServer() {
        serverClosedInput = true
    }

    /// The input closed: the client closed its side (EOF), unless the server closed it. The
    /// guard must then close the connection when the client went away in the middle of a
    /// request, whose work is then cancelled. Between requests, Hummingbird (or the upgrade
    /// handler) closes by itself.
    mutating func inputClosed(now: NIODeadline) -> Action {
        guard phase == .http, !serverClosedInput, responsesPending > 0 || bodyIncomplete else { return .none }
        return close(now: now)
    }

    /// The server started its graceful shutdown: close idle connections now, the others when
    /// their responses have ended.
    mutating func quiesce(now: NIODeadline) -> Action {
        switch phase {
        case .closing, .upgraded:
            return .none
        case .awaitingFirstRequest, .http:
            quiescing = true
            return isIdle ? close(now: now) : .none
        }
    }

    /// The deadline passed (or the timer fired early: then nothing happens).
    mutating func timerFired(now: NIODeadline) -> Action {
        guard let deadline, deadline <= now else { return .none }
        switch phase {
        case .upgraded:
            return .none
        case .closing:
            return .close
        case .awaitingFirstRequest, .http:
            if requestStarted != nil { return reject(.requestTimeout, now: now) }
            return close(now: now)
        }
    }

    private mutating func reject(_ rejection: HTTPRejection, now: NIODeadline) -> Action {
        // Only where no response is under way: not in the middle of one, nor after the
        // request being received was already answered (say 401 before its body came).
        let answering = responseStarted || (bodyIncomplete && responsesPending == 0)
        enterClosing(now: now)
        return answering ? .close : .reject(rejection)
    }

    private mutating func close(now: NIODeadline) -> Action {
        enterClosing(now: now)
        return .close
    }

    private mutating func enterClosing(now: NIODeadline) {
        phase = .closing
        closingSince = now
        deferredRejection = nil
    }

    /// The connection is being closed for another reason (the channel went inactive).
    mutating func closed(now: NIODeadline) {
        if phase != .closing { enterClosing(now: now) }
    }
}
