// kimiswarm-fake-provider: runs the KimiSwarmTesting loopback provider server with its default
// echo behaviour (OpenAI chat completions, Anthropic messages, models, embeddings) until
// SIGINT or SIGTERM, behind a chaos upstream (ChaosUpstream) whose faults are off unless
// `--chaos` or `POST /_chaos/config` turns them on; `GET /_chaos/log` is its request log.
//
//     kimiswarm-fake-provider [--port N] [--latency MS] [--chaos JSON] [--quiet]

import Dispatch
import Foundation
import KimiSwarmTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Command-line options.
struct Options {
    var port = 0
    var quiet = false
    /// Milliseconds before each answer.
    var latency = 0
    /// The chaos settings (`--chaos`), applied after `--latency`.
    var chaos: WireJSON?
}

/// Writes a line to standard output and flushes it (so pipes see it immediately).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to standard error.
func complain(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

let usage = """
    usage: kimiswarm-fake-provider [--port N] [--latency MS] [--chaos JSON] [--quiet]
      --port N       TCP port on 127.0.0.1 (default 0: an ephemeral port)
      --latency MS   answer each request after MS milliseconds (default 0)
      --chaos JSON   faults and fixed answers, e.g. '{"rate_limit": 0.3, "retry_after": 2, "seed": 7}'
                     (keys: seed, latency_ms, latency_jitter_ms, rate_limit, retry_after, errors,
                     error_status, burst, burst_status, reset, hang, stall, truncate, usage, swarm);
                     change them at runtime with POST /_chaos/config, read the request log with
                     GET /_chaos/log
      --quiet        do not log each request
    """

/// A command-line usage error.
struct UsageError: Error {
    var message: String
}

/// Parses `arguments` (without the program name) by hand.
func parseOptions(_ arguments: [String]) -> Result<Options, UsageError> {
    var options = Options()
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
        switch argument {
        case "--port", "-p":
            guard let value = remaining.popFirst(), let port = Int(value), (0...65_535).contains(port) else {
                return .failure(UsageError(message: "--port needs a number between 0 and 65535"))
            }
            options.port = port
        case let flag where flag.hasPrefix("--port="):
            guard let port = Int(flag.dropFirst("--port=".count)), (0...65_535).contains(port) else {
                return .failure(UsageError(message: "--port needs a number between 0 and 65535"))
            }
            options.port = port
        case "--latency":
            guard let value = remaining.popFirst(), let milliseconds = Int(value), (0...600_000).contains(milliseconds) else {
                return .failure(UsageError(message: "--latency needs milliseconds between 0 and 600000"))
            }
            options.latency = milliseconds
        case "--chaos":
            guard let value = remaining.popFirst(), let json = WireJSON(parsing: value), json.objectValue != nil else {
                return .failure(UsageError(message: "--chaos needs a JSON object of settings"))
            }
            options.chaos = json
        case "--quiet", "-q":
            options.quiet = true
        case "--help", "-h":
            emit(usage)
            exit(0)
        default:
            return .failure(UsageError(message: "unknown argument: \(argument)"))
        }
    }
    return .success(options)
}

let options: Options
switch parseOptions(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed):
    options = parsed
case .failure(let error):
    complain("error: \(error.message)\n\(usage)")
    exit(2)
}

var settings = ChaosSettings()
settings.latencyMilliseconds = options.latency
if let patch = options.chaos {
    do {
        try settings.apply(patch)
    } catch {
        complain("error: --chaos: \(error.message)")
        exit(2)
    }
}

// Route SIGINT / SIGTERM into an async stream instead of killing the process.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
/// A signal source forwarding `number` to `continuation`. Nonisolated: the handler runs on a
/// global queue, not on the main actor that owns top-level code.
nonisolated func makeSignalSource(
    _ number: Int32, _ continuation: AsyncStream<Int32>.Continuation
) -> any DispatchSourceSignal {
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { continuation.yield(number) }
    source.resume()
    return source
}

let (signals, signalContinuation) = AsyncStream<Int32>.makeStream()
let signalSources = [SIGINT, SIGTERM].map { makeSignalSource($0, signalContinuation) }

let server: LoopbackProviderServer
do {
    server = try await LoopbackProviderServer.start(port: options.port)
} catch {
    complain("error: cannot listen on 127.0.0.1:\(options.port): \(error)")
    exit(1)
}
ChaosUpstream(settings: settings).install(on: server)
if !options.quiet {
    server.setRequestObserver { request in
        guard !request.path.hasPrefix("/_chaos/") else { return }
        emit("#\(request.sequenceNumber) \(request.method) \(request.uri) (\(request.body.count) bytes)")
    }
}
emit("listening on \(server.baseURL)")

for await number in signals {
    emit("received signal \(number), shutting down")
    break
}
signalSources.forEach { $0.cancel() }
do {
    try await server.shutdown()
} catch {
    complain("error during shutdown: \(error)")
    exit(1)
}
