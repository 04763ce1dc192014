import NIOCore
import NIOHTTP1
import Testing

@testable import KimiSwarmPlatform
@testable import KimiSwarmServer

/// The guard's decisions, without sockets or a clock: time is passed in.
@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    static func at(_ seconds: Double) -> NIODeadline { start + .nanoseconds(Int64(seconds * 1e9)) }

    static func machine() -> ConnectionStateMachine {
        ConnectionStateMachine(requestTimeout: .seconds(30), idleTimeout: .seconds(60), lingerTimeout: .seconds(2), now: start)
    }

    @Test("a connection that sends nothing is closed, silently, at the idle deadline")
    func idleBeforeFirstByte() {
        var machine = Self.machine()
        #expect(machine.deadline == Self.at(60))
        #expect(machine.timerFired(now: Self.at(59)) == .none)
        #expect(machine.timerFired(now: Self.at(60)) == .close)
        #expect(machine.phase == .closing)
    }

    @Test("from its first byte a request has the request timeout to arrive; then 408")
    func requestTimeout() {
        var machine = Self.machine()
        #expect(machine.bytesReceived(now: Self.at(5)) == true)
        #expect(machine.deadline == Self.at(35))
        #expect(machine.bytesReceived(now: Self.at(20)) == true)
        #expect(machine.deadline == Self.at(35))  // more bytes do not extend it
        #expect(machine.timerFired(now: Self.at(35)) == .reject(.requestTimeout))
        #expect(machine.bytesReceived(now: Self.at(36)) == false)  // dropped while closing
        #expect(machine.deadline == Self.at(37))  // linger
        #expect(machine.timerFired(now: Self.at(37)) == .close)
    }

    @Test("half a request that goes silent for the idle timeout is answered 408 then, before the request timeout")
    func silentHalfRequest() {
        var machine = ConnectionStateMachine(requestTimeout: .seconds(30), idleTimeout: .seconds(10), lingerTimeout: .seconds(2), now: Self.start)
        _ = machine.bytesReceived(now: Self.at(5))
        #expect(machine.deadline == Self.at(15))
        _ = machine.bytesReceived(now: Self.at(12))
        #expect(machine.deadline == Self.at(22))
        #expect(machine.timerFired(now: Self.at(15)) == .none)  // an early timer: nothing
        #expect(machine.timerFired(now: Self.at(22)) == .reject(.requestTimeout))
    }

    @Test("no deadline while a response is made; the idle timeout runs again after it")
    func exchange() {
        var machine = Self.machine()
        _ = machine.bytesReceived(now: Self.at(1))
        machine.httpStarted()
        machine.requestHead(now: Self.at(1))
        machine.requestEnd()
        #expect(machine.deadline == nil)
        machine.responseHead(isInformational: false)
        #expect(machine.timerFired(now: Self.at(1000)) == .none)
        #expect(machine.responseEnd(now: Self.at(1000)) == .none)
        #expect(machine.deadline == Self.at(1060))
    }

    @Test("parse errors: answered before the first request and between requests; after a response under way ends")
    func parseErrors() {
        var first = Self.machine()
        _ = first.bytesReceived(now: Self.at(1))
        #expect(first.parseError(.headersTooLarge, now: Self.at(1)) == .reject(.headersTooLarge))

        var pipelined = Self.machine()
        pipelined.httpStarted()
        pipelined.requestHead(now: Self.at(1))
        pipelined.requestEnd()
        pipelined.responseHead(isInformational: false)
        #expect(pipelined.parseError(.badRequest, now: Self.at(2)) == .none)
        #expect(pipelined.deadline == nil)
        #expect(pipelined.responseEnd(now: Self.at(3)) == .reject(.badRequest))

        var inBody = Self.machine()
        inBody.httpStarted()
        inBody.requestHead(now: Self.at(1))
        inBody.responseHead(isInformational: false)
        #expect(inBody.parseError(.badRequest, now: Self.at(2)) == .close)  // a response was started: no second one
    }

    @Test("a request answered before its body arrived is closed, not answered twice, when the body is too slow")
    func answeredEarly() {
        var machine = Self.machine()
        _ = machine.bytesReceived(now: Self.at(0))
        machine.httpStarted()
        machine.requestHead(now: Self.at(0))
        machine.responseHead(isInformational: false)
        #expect(machine.responseEnd(now: Self.at(1)) == .none)
        #expect(machine.deadline == Self.at(30))
        #expect(machine.timerFired(now: Self.at(30)) == .close)
    }

    @Test("a client that closes its side in the middle of a request is closed (its work is cancelled); between requests nothing is done")
    func inputClosed() {
        var busy = Self.machine()
        busy.httpStarted()
        busy.requestHead(now: Self.at(1))
        busy.requestEnd()
        #expect(busy.inputClosed(now: Self.at(2)) == .close)

        var idle = Self.machine()
        idle.httpStarted()
        #expect(idle.inputClosed(now: Self.at(2)) == .none)

        // Closed by the server itself (Hummingbird, when its task is cancelled): the response still goes out.
        var cancelled = Self.machine()
        cancelled.httpStarted()
        cancelled.requestHead(now: Self.at(1))
        cancelled.requestEnd()
        cancelled.inputClosedByServer()
        #expect(cancelled.inputClosed(now: Self.at(2)) == .none)
    }

    @Test("a graceful shutdown closes an idle connection at once and a busy one after its response")
    func quiesce() {
        var idle = Self.machine()
        #expect(idle.quiesce(now: Self.at(1)) == .close)

        var busy = Self.machine()
        _ = busy.bytesReceived(now: Self.at(1))
        #expect(busy.quiesce(now: Self.at(1)) == .none)
        busy.httpStarted()
        busy.requestHead(now: Self.at(1))
        busy.requestEnd()
        busy.responseHead(isInformational: false)
        #expect(busy.responseEnd(now: Self.at(2)) == .close)
    }

    @Test("a WebSocket has no deadline of the guard")
    func upgraded() {
        var machine = Self.machine()
        _ = machine.bytesReceived(now: Self.at(1))
        machine.upgraded()
        #expect(machine.deadline == nil)
        #expect(machine.bytesReceived(now: Self.at(100)) == true)
        #expect(machine.timerFired(now: Self.at(1000)) == .none)
    }

    @Test("header overflow in the request line is 414, in the headers 431; a bad version 505")
    func rejections() {
        #expect(HTTPRejection.forParseError(.headerOverflow, requestLineTooLong: true) == .uriTooLong)
        #expect(HTTPRejection.forParseError(.headerOverflow, requestLineTooLong: false) == .headersTooLarge)
        #expect(HTTPRejection.forParseError(.invalidVersion, requestLineTooLong: false) == .versionNotSupported)
        #expect(HTTPRejection.forParseError(.invalidMethod, requestLineTooLong: false) == .badRequest)
        #expect(String(buffer: HTTPRejection.requestTimeout.bytes).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    }

    @Test("the default connection cap follows the open-file limit, within 64 and 10,000")
    func defaultCap() {
        #expect(HTTPConnectionLimits.defaultMaxConnections(openFileLimit: 1024) == 384)
        #expect(HTTPConnectionLimits.defaultMaxConnections(openFileLimit: 256) == 64)
        #expect(HTTPConnectionLimits.defaultMaxConnections(openFileLimit: 1_048_576) == 10_000)
        #expect(HTTPConnectionLimits.defaultMaxConnections(openFileLimit: nil) == 10_000)
    }
}
