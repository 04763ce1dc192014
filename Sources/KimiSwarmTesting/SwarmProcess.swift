public import Foundation

/// Runs the built `swarm` executable in a clean environment and captures its output; tests
/// of the command line use it.
public struct SwarmProcess {
    /// How a run ended.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// A `swarm` process still running.
    public final class Running: Sendable {
        let process: Process
        let outURL: URL
        let errURL: URL
        let scratch: URL
        let exit: AsyncStream<Int32>

        init(process: Process, outURL: URL, errURL: URL, scratch: URL, exit: AsyncStream<Int32>) {
            self.process = process
            self.outURL = outURL
            self.errURL = errURL
            self.scratch = scratch
            self.exit = exit
        }

        /// The folder it runs in (its working directory and HOME), removed by ``wait()``.
        public var workingDirectory: URL { scratch }

        /// What it wrote to stdout so far.
        public var stdoutSoFar: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }

        /// What it wrote to stderr so far.
        public var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

        /// Sends `signal` (SIGKILL by default: no clean-up at all).
        public func kill(_ signal: Int32 = SIGKILL) { Foundation.kill(process.processIdentifier, signal) }

        /// Waits for the end and returns the output (call it once).
        public func wait() async -> Result {
            var status: Int32 = -1
            for await code in exit { status = code }
            defer { try? FileManager.default.removeItem(at: scratch) }
            return Result(
                status: status, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        }
    }

    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    /// The `swarm` executable built next to the running test bundle.
    public static var executable: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("swarm")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw NotFound(description: "the swarm executable was not found next to \(CommandLine.arguments[0])")
        }
    }

    /// Runs `swarm arguments...` to the end with only `environment` (plus PATH and a scratch
    /// HOME) in a scratch working directory, so no config file of the machine's user is picked up.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Result {
        await (try start(arguments, environment: environment, stdin: stdin)).wait()
    }

    /// Starts `swarm arguments...` as ``run(_:environment:stdin:)`` does, without waiting.
    public static func start(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swarm-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": scratch.path]
            .merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = scratch.appendingPathComponent("stdin")
            try stdin.write(to: inURL, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        return Running(process: process, outURL: outURL, errURL: errURL, scratch: scratch, exit: stream)
    }
}
